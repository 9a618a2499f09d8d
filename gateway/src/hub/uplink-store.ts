/**
 * Stores one gateway's uplink batch, exactly once and in order. The gateway's row is locked for
 * the transaction (two replicas handed the same gateway's pushes serialise here); record n+1 is
 * stored only after record n; a record already stored is a duplicate if it is the same signed
 * record and a refusal otherwise; a forged record, or one about another community, is refused.
 * Refusals are kept with their reason in `hub_refusals`, never the record itself.
 */
import type {
  UplinkBatch,
  UplinkOutcome,
  UplinkRecord,
  UplinkRefusal,
  UplinkResponse,
} from '../contracts/hub.ts';
import type { Clock } from '../core/clock.ts';
import { verifyUplink } from '../core/uplink-signature.ts';
import { inTransaction, type Pool, type PoolClient } from './database.ts';
import type { StreetDesk } from './street-desk.ts';

/** Record kinds whose payload names its community (the others belong to the sender by construction). */
const SITE_SCOPED = new Set(['incident', 'alert', 'site_mode']);

export class UplinkStore {
  constructor(private readonly deps: { pool: Pool; clock: Clock; desk: StreetDesk }) {}

  async ingest(batch: UplinkBatch): Promise<UplinkResponse> {
    const { siteId } = batch;
    const records = [...batch.records].sort((a, b) => a.seq - b.seq);
    return inTransaction(this.deps.pool, async (db) => {
      const now = this.deps.clock.now();
      const gw = (
        await db.query('SELECT gateway_key, last_seq FROM hub_communities WHERE site_id = $1 FOR UPDATE', [
          siteId,
        ])
      ).rows[0] as { gateway_key: string; last_seq: number };
      let last = gw.last_seq;
      const results: UplinkOutcome[] = [];
      for (const r of records) {
        const outcome = await this.one(db, siteId, gw.gateway_key, last, r, now);
        results.push(outcome);
        if (outcome.outcome === 'stored') last = r.seq;
        // Whatever follows a refused record would leave a gap: the gateway resends it all.
        if (outcome.outcome === 'refused') break;
      }
      await db.query('UPDATE hub_communities SET last_seq = $2, last_seen_at = $3 WHERE site_id = $1', [
        siteId,
        last,
        now,
      ]);
      return { storedThrough: last, results };
    });
  }

  private async one(
    db: PoolClient,
    siteId: string,
    key: string,
    last: number,
    r: UplinkRecord,
    now: number,
  ): Promise<UplinkOutcome> {
    const refuse = async (reason: UplinkRefusal, message: string): Promise<UplinkOutcome> => {
      await db.query(
        'INSERT INTO hub_refusals (at, site_id, seq, reason, message) VALUES ($1, $2, $3, $4, $5)',
        [now, siteId, r.seq, reason, message],
      );
      return { seq: r.seq, outcome: 'refused', reason, message };
    };
    if (!verifyUplink(key, siteId, r))
      return refuse(
        'bad_signature',
        `record ${r.seq}: signature does not match its content and this gateway's key`,
      );
    if (r.seq <= last) {
      const stored = (
        await db.query('SELECT sig FROM hub_records WHERE site_id = $1 AND seq = $2', [siteId, r.seq])
      ).rows[0] as { sig: string } | undefined;
      if (stored?.sig === r.sig) return { seq: r.seq, outcome: 'duplicate' };
      return refuse('replay_mismatch', `record ${r.seq} is already stored with other content`);
    }
    if (r.seq !== last + 1)
      return refuse('sequence_gap', `record ${r.seq} arrived before record ${last + 1}`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(r.payload) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch (err) {
      return refuse(
        'malformed_payload',
        `record ${r.seq}: payload is not a JSON object (${(err as Error).message})`,
      );
    }
    if (SITE_SCOPED.has(r.kind) && body.siteId !== siteId)
      return refuse(
        'foreign_site',
        `record ${r.seq}: a ${r.kind} of site '${String(body.siteId)}' pushed by gateway '${siteId}'`,
      );
    const refId =
      r.kind === 'incident'
        ? String(body.id)
        : r.kind === 'alert'
          ? String(body.incidentId ?? body.id)
          : null;
    await db.query(
      `INSERT INTO hub_records (site_id, seq, kind, ref_id, at, received_at, sig, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [siteId, r.seq, r.kind, refId, Date.parse(r.at), now, r.sig, r.payload],
    );
    await this.deps.desk.onRecord(db, siteId, r.kind, body, now);
    return { seq: r.seq, outcome: 'stored' };
  }
}
