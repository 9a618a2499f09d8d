/**
 * Evidence is read only where the read is logged: the alert list carries a summary and the link
 * to the incident's evidence package; one alert with its evidence logs the read in the same
 * append-only access log the police get with the package.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../gateway/src/alerting/evidence.ts';
import { shedFire, startAlertingGateway, type AlertingTestGateway } from './fixtures.ts';

let gw: AlertingTestGateway;
afterEach(async () => gw?.stop());

const EVIDENCE = {
  snapshot_url: 'https://cam.example.cn/s/1.jpg',
  clip_url: 'https://cam.example.cn/c/1.mp4',
  fit: { g: 9.7, residual: 0.02 },
};

interface ListedAlert {
  id: string;
  incidentId: string | null;
  evidence?: unknown;
  evidenceSummary: { fields: string[]; links: number };
  evidenceUrl: string | null;
}
interface Package {
  accessLog: Array<{ by: string; action: string; hash: string }>;
}

describe('evidence reads', () => {
  it('lists alerts without their evidence, and logs every read of one alert’s evidence', async () => {
    gw = await startAlertingGateway();
    gw.raise(
      shedFire({
        kind: 'falling_object',
        dedupeKey: 'falling:cam-b3-east',
        source: { deviceId: 'cam-b3-east', rule: null, model: 'falling-object@3' },
        location: { building: 'B3', facade: 'east', floor: 12, floorRange: [11, 13] },
        evidence: EVIDENCE,
      }),
    );
    const list = await gw.api<ListedAlert[]>('GET', '/api/alerts?kind=falling_object', { user: 'property' });
    expect(list.status).toBe(200);
    const [listed] = list.body;
    expect(listed).toBeDefined();
    expect(listed!.evidence).toBeUndefined();
    expect(listed!.evidenceSummary).toEqual({ fields: ['clip_url', 'fit', 'snapshot_url'], links: 2 });
    expect(listed!.evidenceUrl).toBe(`/api/incidents/${listed!.incidentId}/evidence`);

    // Listing (a dashboard refresh) is not an evidence access: the log is still empty.
    const pkgPath = listed!.evidenceUrl!;
    const firstPkg = await gw.api<Package>('GET', pkgPath, { user: 'property' });
    expect(firstPkg.body.accessLog.map((e) => [e.by, e.action])).toEqual([['property', 'view']]);

    const one = await gw.api<{ evidence: unknown }>('GET', `/api/alerts/${listed!.id}`, {
      user: 'mg3-patrol-a',
    });
    expect(one.status).toBe(200);
    expect(one.body.evidence).toEqual(EVIDENCE);
    // A user who may not see it reads nothing, and nothing is logged for them.
    expect((await gw.api('GET', `/api/alerts/${listed!.id}`, { user: 'mg1-patrol-a' })).status).toBe(404);

    const after = await gw.api<Package>('GET', pkgPath, { user: 'property' });
    expect(after.body.accessLog.map((e) => [e.by, e.action])).toEqual([
      ['property', 'view'],
      ['mg3-patrol-a', 'alert_view'],
      ['property', 'view'],
    ]);
    expect(after.body.accessLog[1]!.hash).toBe(
      createHash('sha256').update(canonicalJson(EVIDENCE)).digest('hex'),
    );
  });
});
