/**
 * The UI module over real HTTP: the built dashboards at `/` with their cache, compression and
 * Content-Security-Policy headers; the API and its JSON 404s untouched; a clear 503 when the
 * dashboards were never built.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUiModule, DASHBOARDS_DIST } from '../../../gateway/src/ui/ui-module.ts';
import { ensureDashboardsBuilt } from '../../helpers/browser.ts';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';

let gw: TestGateway;

beforeAll(async () => {
  ensureDashboardsBuilt();
  gw = await startTestGateway({}, { modules: [createUiModule()] });
});
afterAll(() => gw?.stop());

describe('UI module', () => {
  it('serves the login page at / with a CSP that allows nothing from outside the gateway', async () => {
    const res = await fetch(`${gw.http}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    expect(await res.text()).toContain('<html lang="zh-CN">');
    for (const page of [
      'console.html',
      'worker.html',
      'engineer.html',
      'manifest.webmanifest',
      'sw.js',
      'icon.svg',
    ])
      expect((await fetch(`${gw.http}/${page}`)).status, page).toBe(200);
  });

  it('serves hashed assets as immutable and pre-compressed (brotli, gzip) for slow networks', async () => {
    const html = await (await fetch(`${gw.http}/worker.html`)).text();
    const asset = /src="(\/assets\/worker-[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const br = await fetch(`${gw.http}${asset}`, { headers: { 'accept-encoding': 'br' } });
    expect(br.headers.get('cache-control')).toContain('immutable');
    expect(br.headers.get('content-encoding')).toBe('br');
    const plainBytes = readFileSync(path.join(DASHBOARDS_DIST, asset!)).length;
    expect(Number(br.headers.get('content-length'))).toBeLessThan(plainBytes / 2);
  });

  it('keeps the worker page small: its HTML, JS and CSS together under 40 kB brotli', async () => {
    const html = await (await fetch(`${gw.http}/worker.html`)).text();
    const urls = [
      '/worker.html',
      ...[...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!),
    ];
    let total = 0;
    for (const u of urls) {
      const res = await fetch(`${gw.http}${u}`, { headers: { 'accept-encoding': 'br' } });
      // Bytes on the wire (fetch decompresses the body, the header keeps the compressed size).
      total += Number(res.headers.get('content-length') ?? (await res.arrayBuffer()).byteLength);
    }
    expect(total).toBeLessThan(40_000);
  });

  it('references no external URL in any built file (no CDN, no web fonts)', () => {
    const files = readdirSync(DASHBOARDS_DIST, { recursive: true, encoding: 'utf8' }).filter((f) =>
      /\.(html|css|webmanifest)$/.test(f),
    );
    for (const f of files)
      expect(readFileSync(path.join(DASHBOARDS_DIST, f), 'utf8'), f).not.toMatch(
        /(src|href|url\()=?["'(]?https?:/,
      );
  });

  it('leaves the API alone: unknown /api routes still answer the JSON error envelope', async () => {
    const res = await fetch(`${gw.http}/api/no-such-thing`, { headers: await gw.login('engineer') });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 'error', error: { code: 'WEIGE_ERR_API_NOT_FOUND' } });
    expect((await fetch(`${gw.http}/healthz`)).status).toBe(200);
  });

  it('answers 503 with the build command when the dashboards were never built', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'weige-ui-'));
    const bare = await startTestGateway({}, { modules: [createUiModule({ distDir: empty })] });
    try {
      const res = await fetch(`${bare.http}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build:dashboards');
      expect((await fetch(`${bare.http}/healthz`)).status).toBe(200);
    } finally {
      await bare.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
