/**
 * Residents' requests (issue 18). A household with everything a gateway can hold about it —
 * meter readings, a rejected upload, an inactivity incident and a neighbour's report, an absence,
 * a visit, consent records, a corrected phone, reads in the access log — asks for a copy: the
 * export holds all of it, with a readable zh-CN summary. Then it asks to be erased: afterwards no
 * table but the access and custody logs mentions the household, its meter, its resident's name
 * or phones, and the request is recorded with its outcome and time to complete. An incident on
 * legal hold survives another household's erasure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertingModule } from '../../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../../gateway/src/channels/module.ts';
import { createPrivacyModule } from '../../../gateway/src/privacy/module.ts';
import { RulesModule } from '../../../gateway/src/detectors/rules/module.ts';
import { testNow } from '../../helpers/clock.ts';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.ts';

const HOUR = 3_600_000;
const HOUSEHOLD = 'B3-1-203';
const METER = `wm-${HOUSEHOLD}`;
const NEW_PHONE = '13700001111';
const KEPT_ANYWAY = new Set([
  'privacy_audit',
  'privacy_audit_anchor',
  'alerting_evidence_access',
  'device_health',
]);
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway(
    {},
    { modules: [createChannelsModule, createAlertingModule, () => new RulesModule(), createPrivacyModule] },
  );
});
afterAll(() => gw?.stop());

function inactivity(household: string): void {
  gw.gateway.ctx.bus.emit('detectionRaised', {
    kind: 'elderly_inactivity',
    severity: 'major',
    siteId: 'chunjiang',
    eventTs: testNow(),
    source: { deviceId: `wm-${household}`, rule: null, model: 'elderly-inactivity@1' },
    dedupeKey: `elderly_inactivity:${household}`,
    location: { household },
    title: { 'zh-CN': '独居老人用水异常中断', en: 'No water use' },
    message: { 'zh-CN': '请上门查看', en: 'Please visit' },
    evidence: { meter: `wm-${household}` },
  });
}

/** Every row of every table (except the logs the law keeps) that mentions one of `needles`. */
function remaining(needles: string[]): Array<{ table: string; row: string }> {
  const db = gw.gateway.ctx.stores.db;
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
  )
    .map((t) => t.name)
    .filter((t) => !KEPT_ANYWAY.has(t));
  return tables.flatMap((table) =>
    (db.prepare(`SELECT * FROM "${table}"`).all() as unknown[])
      .map((r) => JSON.stringify(r))
      .filter((row) => needles.some((n) => row.includes(n)))
      .map((row) => ({ table, row })),
  );
}

describe("residents' requests", () => {
  it('exports everything held about a household, then erases it completely', async () => {
    const resident = gw.gateway.ctx.site.household(HOUSEHOLD)!.resident!;
    const client = await gw.connect(METER);
    const end = Math.floor(testNow() / HOUR) * HOUR;
    const readings = [3, 2, 1].map((h, i) => ({ ts: end - h * HOUR, total_m3: 40 + i / 100 }));
    await client.publishAsync(`weige/${METER}/telemetry`, JSON.stringify({ readings }), { qos: 1 });
    await client.publishAsync(`weige/${METER}/telemetry`, '{"total_m3":"lots"}', { qos: 1 });
    inactivity(HOUSEHOLD);
    const report = await gw.api<{ incident: { id: string } }>('POST', '/api/reports', {
      user: 'mg3-worker-a',
      body: {
        category: 'welfare',
        description: '邻居反映老人两天未出门',
        location: { household: HOUSEHOLD },
        reporter: { name: '赵邻居', phone: '13912345678' },
      },
    });
    expect(report.status).toBe(201);
    for (const [path, body] of [
      [
        `/api/households/${HOUSEHOLD}/absences`,
        { from: new Date(end).toISOString(), to: new Date(end + 48 * HOUR).toISOString(), reason: '住院' },
      ],
      [`/api/households/${HOUSEHOLD}/visits`, { note: '精神尚可' }],
      [
        `/api/households/${HOUSEHOLD}/consent`,
        { by: 'guardian', signer: '李家属', monitoring: 'day_only', form: 'CJ-2026-R7' },
      ],
    ] as const)
      expect((await gw.api('POST', path, { user: 'mg3-care-a', body })).status, path).toBe(201);
    const corrected = await gw.api('POST', `/api/privacy/households/${HOUSEHOLD}/correct`, {
      user: 'mg3-care-a',
      body: { requestedBy: 'resident', phone: NEW_PHONE },
    });
    expect(corrected.status).toBe(200);
    const view = await gw.api<{ resident: { phone: string } }>('GET', `/api/households/${HOUSEHOLD}`, {
      user: 'mg3-care-a',
    });
    expect(view.body.resident.phone).toBe(NEW_PHONE);
    await eventually(async () => {
      const list = await gw.api<unknown[]>('GET', `/api/incidents`, { user: 'admin' });
      return list.body.length === 2;
    });

    // Only the data-protection officer acts on these requests.
    expect(
      (
        await gw.api('POST', `/api/privacy/households/${HOUSEHOLD}/export`, {
          user: 'mg3-care-a',
          body: { requestedBy: 'resident' },
        })
      ).status,
    ).toBe(403);
    const receivedAt = new Date(testNow() - 2 * 24 * HOUR).toISOString();
    const exported = await gw.api<{
      data: Record<string, unknown[]> & { household: { resident: { name: string; phone: string } } };
      summaryZh: string;
    }>('POST', `/api/privacy/households/${HOUSEHOLD}/export`, {
      user: 'dpo',
      body: { requestedBy: 'resident', receivedAt },
    });
    expect(exported.status).toBe(200);
    const { data } = exported.body;
    expect(data.household.resident).toMatchObject({ name: resident.name, phone: NEW_PHONE });
    expect({
      readings: data.readings!.length,
      deadLetters: data.deadLetters!.length,
      incidents: data.incidents!.length,
      alerts: data.alerts!.length,
      absences: data.absences!.length,
      visits: data.visits!.length,
      consent: data.consent!.length,
      corrections: data.corrections!.length,
    }).toEqual({
      readings: 3,
      deadLetters: 1,
      incidents: 2,
      alerts: 2,
      absences: 1,
      visits: 1,
      consent: 2,
      corrections: 1,
    });
    expect(data.history!.length).toBeGreaterThanOrEqual(2);
    expect(data.accessLog!.length).toBeGreaterThan(0);
    expect(exported.body.summaryZh).toContain(resident.name);
    expect(exported.body.summaryZh).toContain('水表读数 3 条');
    expect(exported.body.summaryZh).toContain('工单 2 件');
    expect(exported.body.summaryZh).toContain('监护人签署');

    const before = remaining([HOUSEHOLD]);
    expect([...new Set(before.map((r) => r.table))]).toEqual(
      expect.arrayContaining([
        'readings',
        'dead_letters',
        'alerting_incidents',
        'alerting_absences',
        'privacy_consents',
      ]),
    );
    const erased = await gw.api<{ outcome: string; deleted: Record<string, number>; held: string[] }>(
      'POST',
      `/api/privacy/households/${HOUSEHOLD}/erase`,
      { user: 'dpo', body: { requestedBy: 'guardian', receivedAt } },
    );
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ outcome: 'done', held: [] });
    expect(erased.body.deleted).toMatchObject({
      readings: 3,
      incidents: 2,
      absences: 1,
      visits: 1,
      consents: 1,
    });
    expect(
      remaining([HOUSEHOLD, resident.name, resident.phone!, NEW_PHONE, '13912345678', '赵邻居']),
    ).toEqual([]);

    // No longer monitored, on no page; the request and its time to complete are on record.
    expect((await gw.api('GET', `/api/households/${HOUSEHOLD}`, { user: 'mg3-care-a' })).status).toBe(404);
    const requests = await gw.api<
      Array<{ action: string; subject: string; detail: Record<string, unknown> }>
    >('GET', '/api/privacy/requests', { user: 'dpo' });
    expect(requests.body.map((r) => r.action)).toEqual(['erase', 'export', 'correct']);
    expect(requests.body[0]!.detail).toMatchObject({ outcome: 'done', requestedBy: 'guardian', receivedAt });
    expect(requests.body[0]!.detail.timeToCompleteMs).toBeGreaterThanOrEqual(2 * 24 * HOUR);
    const again = await gw.api<{ data: Record<string, unknown[]> }>(
      'POST',
      `/api/privacy/households/${HOUSEHOLD}/export`,
      {
        user: 'dpo',
        body: { requestedBy: 'resident' },
      },
    );
    expect(again.body.data.readings).toEqual([]);
    expect(again.body.data.consent).toEqual([]);
  });

  it('keeps an incident on legal hold through an erasure', async () => {
    inactivity('B3-1-303');
    const incident = await eventually(async () => {
      const list = await gw.api<Array<{ id: string; location: { household: string } }>>(
        'GET',
        '/api/incidents',
        {
          user: 'admin',
        },
      );
      return list.body.find((i) => i.location.household === 'B3-1-303');
    });
    expect(
      (
        await gw.api('POST', '/api/privacy/holds', {
          user: 'dpo',
          body: { incidentId: incident.id, reason: '诉讼保全' },
        })
      ).status,
    ).toBe(201);
    const erased = await gw.api<{ outcome: string; held: string[] }>(
      'POST',
      '/api/privacy/households/B3-1-303/erase',
      {
        user: 'dpo',
        body: { requestedBy: 'resident' },
      },
    );
    expect(erased.body).toMatchObject({ outcome: 'done_except_held', held: [incident.id] });
    expect((await gw.api('GET', `/api/incidents/${incident.id}`, { user: 'admin' })).status).toBe(200);
  });
});
