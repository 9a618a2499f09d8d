/**
 * Issue 19: bad input at the street hub is refused with a reason and nothing is stored — two hub
 * replicas on one real PostgreSQL, uplinks over real HTTP as the gateway `spare`, refusals read
 * back from the other replica.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UplinkRecord, UplinkResponse } from '../../../gateway/src/contracts/hub.ts';
import { signUplink } from '../../../gateway/src/core/uplink-signature.ts';
import { testIso } from '../../helpers/clock.ts';
import { openTestPool, startPostgres, type PostgresInstance } from '../../helpers/postgres.ts';
import { gatewayKey, startTestHub, writeStreetFile, type TestHub } from '../../helpers/street.ts';

/** The gateway these tests write as; c1 is the other community whose key and incidents they misuse. */
const SPARE = 'spare';

let postgres: PostgresInstance;
let db: pg.Pool;
let dir: string;
let hubs: TestHub[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
  const url = await postgres.createDatabase('street_hub');
  db = openTestPool(url);
  dir = mkdtempSync(path.join(os.tmpdir(), 'weige-street-'));
  const streetFile = writeStreetFile(dir, ['c1', SPARE]);
  hubs = [await startTestHub(url, streetFile, 'hub-a'), await startTestHub(url, streetFile, 'hub-b')];
}, 90_000);

afterAll(async () => {
  for (const h of hubs) await h.stop();
  await db?.end();
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('street hub: bad input is refused with a reason, nothing stored', () => {
  const counts = async () =>
    (
      await db.query(
        `SELECT (SELECT COUNT(*) FROM hub_records WHERE site_id = $1)::int AS records,
                (SELECT COUNT(*) FROM hub_incidents WHERE site_id = $1)::int AS incidents,
                (SELECT last_seq FROM hub_communities WHERE site_id = $1)::int AS last_seq`,
        [SPARE],
      )
    ).rows[0] as { records: number; incidents: number; last_seq: number };

  const incidentPayload = (siteId: string, id: string) =>
    JSON.stringify({
      id,
      siteId,
      kind: 'fire',
      severity: 'critical',
      state: 'open',
      createdAt: testIso(),
      updatedAt: testIso(),
    });

  function record(seq: number, payload: string, key = gatewayKey(SPARE), siteId = SPARE): UplinkRecord {
    const unsigned = { seq, kind: 'incident' as const, at: testIso(), payload };
    return { ...unsigned, sig: signUplink(key, siteId, unsigned) };
  }

  async function push(
    records: UplinkRecord[],
    auth = `Gateway ${SPARE}:${gatewayKey(SPARE)}`,
    siteId = SPARE,
  ) {
    const res = await fetch(`${hubs[0]!.http}/api/hub/uplink`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ siteId, records }),
    });
    return {
      status: res.status,
      body: (await res.json()) as UplinkResponse & { error?: { message: string; details: unknown } },
    };
  }

  async function lastRefusal(): Promise<{ reason: string; message: string; site_id: string | null }> {
    return (await db.query('SELECT reason, message, site_id FROM hub_refusals ORDER BY id DESC LIMIT 1'))
      .rows[0];
  }

  it('stores a good record once; a resent copy is a duplicate, a changed copy under its key a replay refused', async () => {
    const good = record(1, incidentPayload(SPARE, 'inc-spare-1'));
    expect((await push([good])).body.results).toEqual([{ seq: 1, outcome: 'stored' }]);
    const after = await counts();
    expect(after).toEqual({ records: 1, incidents: 1, last_seq: 1 });

    expect((await push([good])).body).toEqual({
      storedThrough: 1,
      results: [{ seq: 1, outcome: 'duplicate' }],
    });
    const replay = record(1, incidentPayload(SPARE, 'inc-spare-other'));
    const refused = (await push([replay])).body.results[0]!;
    expect(refused).toMatchObject({ seq: 1, outcome: 'refused', reason: 'replay_mismatch' });
    expect((await lastRefusal()).reason).toBe('replay_mismatch');
    expect(await counts()).toEqual(after);
  });

  it("refuses an unknown gateway, a forged record, another community's incident and a gap", async () => {
    const before = await counts();
    const unknown = await push(
      [record(2, incidentPayload(SPARE, 'x'))],
      'Gateway nowhere:key-of-nowhere-0123456789',
      'nowhere',
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body.error!.details).toEqual({ reason: 'unknown_gateway' });
    expect(await lastRefusal()).toMatchObject({ reason: 'unknown_gateway', site_id: 'nowhere' });
    const wrongKey = await push(
      [record(2, incidentPayload(SPARE, 'x'))],
      `Gateway ${SPARE}:not-the-key-of-spare-000`,
    );
    expect(wrongKey.status).toBe(401);

    // Signed with another gateway's key (a forgery as far as this gateway's key is concerned).
    const forged = (await push([record(2, incidentPayload(SPARE, 'inc-forged'), gatewayKey('c1'))])).body
      .results[0]!;
    expect(forged).toMatchObject({ seq: 2, outcome: 'refused', reason: 'bad_signature' });
    // Correctly signed, but about an incident of community c1.
    const foreign = (await push([record(2, incidentPayload('c1', 'inc-of-c1'))])).body.results[0]!;
    expect(foreign).toMatchObject({ seq: 2, outcome: 'refused', reason: 'foreign_site' });
    expect(foreign.message).toContain("site 'c1'");
    // A batch claiming to come from c1 over spare's credentials.
    const claimed = await push(
      [record(2, incidentPayload('c1', 'inc-of-c1'), gatewayKey('c1'), 'c1')],
      undefined,
      'c1',
    );
    expect(claimed.status).toBe(403);
    expect(claimed.body.error!.details).toEqual({ reason: 'foreign_site' });
    const gap = (await push([record(5, incidentPayload(SPARE, 'inc-later'))])).body.results[0]!;
    expect(gap).toMatchObject({ seq: 5, outcome: 'refused', reason: 'sequence_gap' });

    expect(await counts()).toEqual(before);
    const c1Incidents = await db.query(
      `SELECT incident_id FROM hub_incidents WHERE incident_id = 'inc-of-c1'`,
    );
    expect(c1Incidents.rows).toEqual([]);
    const reasons = (
      await hubs[1]!.api<Array<{ reason: string }>>('GET', '/api/hub/refusals?limit=6', { user: 'chief' })
    ).body;
    expect(reasons.map((r) => r.reason)).toEqual([
      'sequence_gap',
      'foreign_site',
      'foreign_site',
      'bad_signature',
      'unknown_gateway',
      'unknown_gateway',
    ]);
  });
});
