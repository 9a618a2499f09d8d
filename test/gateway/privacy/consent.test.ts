/**
 * Consent gates monitoring (issue 18). Two lone residents on the same floor stop using water at
 * the same hour: the one with a consent on file raises `elderly_inactivity`, the one whose form
 * was left out of the site file raises nothing and is on no page, though her meter's readings are
 * stored as utility data. Then the first withdraws: within a minute on the gateway's clock the
 * open incident is cancelled (recorded in its history and the access log), and her meter's
 * later readings reach no detector.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../../gateway/src/contracts/alerts.ts';
import { eventually, makeDataDir, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { meterHistory, siteVariant } from './fixtures.ts';

const WATCHED = 'B3-1-203';
const NO_CONSENT = 'B3-1-303';
let gw: TestGateway;
const detections: Detection[] = [];

beforeAll(async () => {
  const dataDir = makeDataDir();
  const siteFile = siteVariant(dataDir, (site) => {
    site.privacy.consents = site.privacy.consents.filter((c) => c.household !== NO_CONSENT);
  });
  gw = await startTestGateway({ dataDir, siteFile });
  gw.gateway.ctx.bus.on('detectionRaised', (d) => {
    if (d.source.model?.startsWith('elderly-inactivity@')) detections.push(d);
  });
});
afterAll(() => gw?.stop());

async function upload(device: string, series: Array<{ ts: number; total_m3: number }>): Promise<void> {
  const client = await gw.connect(device);
  for (let i = 0; i < series.length; i += 24)
    await client.publishAsync(
      `weige/${device}/telemetry`,
      JSON.stringify({ readings: series.slice(i, i + 24), battery_pct: 90 }),
      { qos: 1 },
    );
}

interface IncidentDetail {
  id: string;
  state: string;
  location: { household: string | null };
  history: Array<{ type: string; at: string; note: string | null }>;
}

describe('consent', () => {
  let incidentId = '';

  it('raises no inactivity alert for a household without consent, and shows it on no page', async () => {
    const { series } = meterHistory();
    // The household without consent goes first: by the time the watched one alerts, its readings are through.
    await upload(`wm-${NO_CONSENT}`, series);
    await upload(`wm-${WATCHED}`, series);
    const d = await eventually(() => detections.find((x) => x.location.household === WATCHED), 15_000);
    expect(d.kind).toBe('elderly_inactivity');
    expect(detections.filter((x) => x.location.household === NO_CONSENT)).toEqual([]);

    // Utility data: stored all the same.
    const readings = await gw.api<unknown[]>('GET', `/api/devices/wm-${NO_CONSENT}/readings?limit=10000`, {
      user: 'engineer',
    });
    expect(readings.body).toHaveLength(series.length);

    const list = await gw.api<Array<{ id: string }>>('GET', '/api/households', { user: 'mg3-care-a' });
    expect(list.status).toBe(200);
    expect(list.body.map((h) => h.id)).toContain(WATCHED);
    expect(list.body.map((h) => h.id)).not.toContain(NO_CONSENT);
    expect((await gw.api('GET', `/api/households/${NO_CONSENT}`, { user: 'mg3-care-a' })).status).toBe(404);
    // The site listing carries flats only: nothing says who lives alone where.
    const site = await gw.api<{ households: Array<Record<string, unknown>> }>('GET', '/api/site', {
      user: 'mg3-care-a',
    });
    const flat = site.body.households.find((h) => h.id === NO_CONSENT)!;
    expect(Object.keys(flat).sort()).toEqual(['building', 'floor', 'grid', 'id', 'room', 'unit']);

    const incidents = await gw.api<IncidentDetail[]>('GET', '/api/incidents?kind=elderly_inactivity', {
      user: 'admin',
    });
    expect(incidents.body.map((i) => i.location.household)).toEqual([WATCHED]);
    incidentId = incidents.body[0]!.id;
  });

  it('stops monitoring within a minute of a withdrawal, and records it', async () => {
    const withdrawn = await gw.api<{ status: string; at: string }>(
      'POST',
      `/api/households/${WATCHED}/consent/withdraw`,
      { user: 'mg3-care-a', body: { by: 'resident', form: 'CJ-2026-W01' } },
    );
    expect(withdrawn.status).toBe(201);
    expect(withdrawn.body.status).toBe('withdrawn');
    const at = Date.parse(withdrawn.body.at);

    const incident = await eventually(async () => {
      const r = await gw.api<IncidentDetail>('GET', `/api/incidents/${incidentId}`, { user: 'admin' });
      return r.body.state === 'cancelled' ? r.body : null;
    });
    const cancelled = incident.history.find((h) => h.type === 'cancelled')!;
    expect(cancelled.note).toContain('撤回同意');
    expect(Date.parse(cancelled.at) - at).toBeLessThanOrEqual(60_000);
    expect(Date.parse(cancelled.at)).toBeGreaterThanOrEqual(at);

    const consent = await gw.api<{
      current: { status: string };
      history: Array<{ status: string; source: string }>;
    }>('GET', `/api/households/${WATCHED}/consent`, { user: 'mg3-care-a' });
    expect(consent.body.current.status).toBe('withdrawn');
    expect(consent.body.history.map((c) => [c.status, c.source])).toEqual([
      ['given', 'site'],
      ['withdrawn', 'api'],
    ]);
    const audit = gw.gateway.ctx.privacy.audit.entries({
      subject: `household:${WATCHED}`,
      action: 'consent_withdrawn',
    });
    expect(audit.map((e) => e.actor)).toEqual(['mg3-care-a']);

    // After the withdrawal even a meter's continuous-flow alarm reaches no detector; the same alarm
    // from a watched neighbour, sent after it (and so queued after it), still raises one.
    const { series, end } = meterHistory();
    await upload('wm-B3-1-401', series);
    const alarm = {
      ts: end + 60_000,
      total_m3: series.at(-1)!.total_m3 + 0.2,
      continuous_flow_min: 30,
      flow_lph: 360,
    };
    for (const device of [`wm-${WATCHED}`, 'wm-B3-1-401'])
      await (
        await gw.connect(device)
      ).publishAsync(`weige/${device}/telemetry`, JSON.stringify(alarm), { qos: 1 });
    await eventually(
      () => detections.find((x) => x.location.household === 'B3-1-401' && x.kind === 'continuous_water_flow'),
      15_000,
    );
    expect(detections.filter((x) => x.location.household === WATCHED).map((x) => x.kind)).toEqual([
      'elderly_inactivity',
    ]);
    expect((await gw.api('GET', '/api/households', { user: 'mg3-care-a' })).body).not.toContainEqual(
      expect.objectContaining({ id: WATCHED }),
    );
  });
});
