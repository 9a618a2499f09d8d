/**
 * The evidence package for the police (issue 18): each item and the whole package carry a
 * SHA-256, the export is logged with its recipient (custody), and the offline verify command
 * accepts the package as exported and rejects one altered in any item.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evidenceItems,
  verifyEvidence,
  type EvidenceContent,
} from '../../../gateway/src/alerting/evidence.ts';
import { REPO_ROOT } from '../../../gateway/src/config/settings.ts';
import { shedFire, startAlertingGateway, type AlertingTestGateway } from '../alerting/fixtures.ts';

let gw: AlertingTestGateway;
beforeAll(async () => {
  gw = await startAlertingGateway();
});
afterAll(() => gw?.stop());

function verifyCli(file: string): { status: number | null; out: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/verify-evidence.ts'), file],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { status: r.status, out: r.stdout + r.stderr };
}

interface Pkg {
  content: EvidenceContent & { alerts: Array<{ id: string; evidence: Record<string, unknown> }> };
  items: Array<{ name: string; sha256: string }>;
  hash: { algorithm: string; value: string };
  accessLog: Array<{ by: string; action: string; recipient: string | null }>;
}

describe('evidence package', () => {
  it('hashes every item, logs to whom it was exported, and fails verification once tampered with', async () => {
    gw.raise(
      shedFire({
        kind: 'falling_object',
        dedupeKey: 'falling:cam-b3-east',
        source: { deviceId: 'cam-b3-east', rule: null, model: 'falling-object@3' },
        location: { building: 'B3', facade: 'east', floor: 12, floorRange: [11, 13] },
        evidence: {
          snapshot_url: 'https://cam.example.cn/s/1.jpg',
          clip_url: 'https://cam.example.cn/c/1.mp4',
          track: [
            { t: 0, y: 34.1 },
            { t: 0.8, y: 31.0 },
          ],
          originFloor: 12,
        },
      }),
    );
    const [incident] = (await gw.api<Array<{ id: string }>>('GET', '/api/incidents', { user: 'admin' })).body;
    const station = '黄浦公安分局五里桥派出所';
    const res = await gw.api<Pkg>(
      'GET',
      `/api/incidents/${incident!.id}/evidence?export=true&to=${encodeURIComponent(station)}`,
      { user: 'property' },
    );
    expect(res.status).toBe(200);
    const pkg = res.body;
    expect(pkg.items.map((i) => i.name)).toEqual([
      'incident',
      `alert:${pkg.content.alerts[0]!.id}`,
      'history',
      'links',
    ]);
    expect(pkg.content.history.length).toBeGreaterThan(0);
    expect(pkg.accessLog.at(-1)).toMatchObject({ by: 'property', action: 'export', recipient: station });
    expect(gw.gateway.ctx.privacy.audit.entries({ action: 'evidence_export' }).at(-1)).toMatchObject({
      actor: 'property',
      subject: `incident:${incident!.id}`,
      detail: { recipient: station },
    });
    expect(verifyEvidence(pkg)).toEqual([]);

    const dir = gw.dataDir;
    const intact = path.join(dir, 'evidence.json');
    writeFileSync(intact, JSON.stringify(pkg, null, 2));
    const ok = verifyCli(intact);
    expect(ok.out).toContain('intact');
    expect(ok.status).toBe(0);

    // The origin floor moved down one: the alert item no longer matches its hash, nor the package.
    const tampered = structuredClone(pkg);
    tampered.content.alerts[0]!.evidence.originFloor = 11;
    const bad = path.join(dir, 'tampered.json');
    writeFileSync(bad, JSON.stringify(tampered));
    const failed = verifyCli(bad);
    expect(failed.status).toBe(1);
    expect(failed.out).toMatch(/item alert:\S+: SHA-256 does not match its content/);
    expect(failed.out).toContain('package: SHA-256 does not match the content');

    // Re-hashing the altered item alone does not help: the package hash still gives it away.
    const rehashed = structuredClone(tampered);
    rehashed.items = evidenceItems(rehashed.content);
    expect(verifyEvidence(rehashed)).toEqual(['package: SHA-256 does not match the content']);
    // A link dropped from the package is caught too.
    const dropped = structuredClone(pkg);
    dropped.content.links = dropped.content.links.slice(1);
    expect(verifyEvidence(dropped)).toContain('item links: SHA-256 does not match its content');
  });
});
