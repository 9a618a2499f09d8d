/**
 * Authorisation on the routed path (issue 14): every route in the OpenAPI document, asked for
 * without a token under encoded and odd spellings of its path, answers 401/403/404 and never
 * data; a route that declares no access stops the app from starting; rules and models keep
 * server paths from grid workers; a YAML alias bomb is a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi } from '../../../gateway/src/api/app.ts';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { rawRequest } from '../../helpers/raw-http.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => gw.stop());

/**
 * Routes anyone may call, by design. The family's 外出报备 link carries its own credential, a
 * random token in the path (a guessed one gets 404: inactivity-presence-e2e.test.ts).
 */
const PUBLIC = new Set(['GET /healthz', 'GET /metrics', 'POST /api/auth/login', 'POST /api/away/{token}']);

/** Real ids for path parameters, so a route that did answer would have something to show. */
const PARAMS: Record<string, string> = {
  id: 'wm-B3-1-1201',
  taskId: 'task-1',
  name: 'falling-object',
};
const HOUSEHOLD = 'B3-1-1201';

function fill(path: string): string {
  const filled = path.replace(/\{(\w+)\}/g, (_m, name: string) => PARAMS[name] ?? 'x');
  return filled.startsWith('/api/households/') ? filled.replace(PARAMS.id!, HOUSEHOLD) : filled;
}

/** Spellings of one path that a router might map to the same handler. */
function variants(path: string): string[] {
  const rest = path.slice('/api'.length);
  return [
    path,
    `/%61pi${rest}`,
    `/%61%70%69${rest}`,
    `//api${rest}`,
    `/api/.${rest}`,
    `/api/x/..${rest}`,
    `/API${rest}`,
    `/Api${rest}`,
    `${path}/`,
    `${path}?`,
    `${path}%20`,
    `/${path.slice(1).replace(/\//g, '%2F')}`,
    `/api${rest.replace(/\//g, '//')}`,
  ];
}

async function openApiRoutes(): Promise<Array<{ method: string; path: string }>> {
  const doc = (await (await fetch(`${gw.http}/docs/json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
  );
}

describe('authorisation on the routed path', () => {
  it('answers no route without a valid token, however its path is spelled', async () => {
    const routes = (await openApiRoutes()).filter((r) => !PUBLIC.has(`${r.method} ${r.path}`));
    expect(routes.length).toBeGreaterThan(35);
    const answered: string[] = [];
    for (const route of routes) {
      for (const path of variants(fill(route.path))) {
        for (const headers of [
          {} as Record<string, string>,
          { authorization: 'Bearer forged' },
          { authorization: 'Basic YWRtaW46eA==' },
        ]) {
          const res = await rawRequest(gw.http, {
            method: route.method,
            path,
            headers,
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} }),
          });
          if (![401, 403, 404].includes(res.status)) answered.push(`${route.method} ${path} → ${res.status}`);
        }
      }
    }
    expect(answered).toEqual([]);
  });

  it('routes an encoded path to the handler, whose access the hook then checks', async () => {
    const headers = await gw.login('engineer');
    const plain = await rawRequest(gw.http, { path: '/api/devices', headers });
    const encoded = await rawRequest(gw.http, { path: '/%61pi/devices', headers });
    expect(plain.status).toBe(200);
    expect(encoded.status).toBe(200);
    expect(encoded.body).toBe(plain.body);
    expect((await rawRequest(gw.http, { path: '/%61pi/devices' })).status).toBe(401);
    const worker = await gw.login('mg1-worker-a');
    expect((await rawRequest(gw.http, { path: '/%61pi/dead-letters', headers: worker })).status).toBe(403);
  });

  it('answers 401, not 500, to a logout without a session', async () => {
    for (const path of ['/api/auth/logout', '/%61pi/auth/logout']) {
      const res = await rawRequest(gw.http, { method: 'POST', path });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'WEIGE_ERR_AUTH_REQUIRED' } });
    }
  });

  it('does not upgrade /api/stream without a token under an encoded path', async () => {
    const port = gw.gateway.httpPort;
    for (const path of ['/api/stream', '/%61pi/stream', '/%61pi/stream?token=forged']) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', () => undefined);
      });
      expect(status).toBe(401);
    }
  });

  it('refuses to start with a route that declares no access (deny by default)', async () => {
    const app = await createApi(gw.gateway.ctx, {
      ready: () => true,
      health: () => gw.gateway.health(),
      stages: {},
    });
    app.get('/api/undeclared', async () => ({ secret: true }));
    try {
      await expect(app.ready()).rejects.toThrow(/routes without config.access.*GET \/api\/undeclared/);
    } finally {
      await app.close();
    }
  });
});

describe('rules and models keep server paths from grid workers', () => {
  it('refuses /api/rules and /api/models to a grid worker', async () => {
    for (const path of ['/api/rules', '/api/models'])
      expect((await gw.api('GET', path, { user: 'mg1-worker-a' })).status).toBe(403);
  });

  it('shows a property manager rule files by name only; an engineer sees the paths', async () => {
    type Rules = { dirs: string[]; rules: Array<{ file: string }> };
    const manager = await gw.api<Rules>('GET', '/api/rules', { user: 'property' });
    const engineer = await gw.api<Rules>('GET', '/api/rules', { user: 'engineer' });
    expect(manager.status).toBe(200);
    expect(manager.body.rules.length).toBe(engineer.body.rules.length);
    expect(manager.body.dirs).toEqual([]);
    expect(manager.body.rules.every((r) => !r.file.includes('/'))).toBe(true);
    expect(engineer.body.rules.every((r) => r.file.startsWith('/'))).toBe(true);
  });

  it('answers a YAML alias bomb to /api/rules/test with 400', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`,
      );
    }
    const res = await gw.api<{ error: { message: string } }>('POST', '/api/rules/test', {
      user: 'engineer',
      body: { rule: lines.join('\n'), items: [] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/alias/i);
  });
});
