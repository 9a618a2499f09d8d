import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/gateway.ts';
import { startAlertingGateway, shedFire, type AlertingTestGateway } from '../alerting/fixtures.ts';

interface Frame {
  type: string;
  data: Record<string, unknown>;
}

let gw: AlertingTestGateway;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) if (s.readyState === WebSocket.OPEN) s.terminate();
  await gw?.stop();
});

async function listen(user: string, lang = 'zh-CN'): Promise<Frame[]> {
  const { authorization } = await gw.login(user);
  const token = authorization!.slice('Bearer '.length);
  const ws = new WebSocket(`${gw.http.replace('http', 'ws')}/api/stream?token=${token}&lang=${lang}`);
  sockets.push(ws);
  const frames: Frame[] = [];
  ws.on('message', (m) => frames.push(JSON.parse(m.toString()) as Frame));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return frames;
}

describe('WebSocket push: /api/stream', () => {
  it('pushes alerts, incidents, device health and site mode, scoped to the user’s grid', async () => {
    gw = await startAlertingGateway();
    const mg3 = await listen('mg3-responder-a');
    const mg1 = await listen('mg1-worker-a');
    const en = await listen('property', 'en');
    gw.raise(shedFire());
    await eventually(() => mg3.some((f) => f.type === 'incident' && f.data.state === 'dispatched'));
    const alert = mg3.find((f) => f.type === 'alert')!;
    expect(alert.data).toMatchObject({ kind: 'fire', title: '3号非机动车棚火警', siteId: 'chunjiang' });
    expect(
      mg3.filter((f) => f.type === 'incident').map((f) => (f.data.lastChange as { type: string }).type),
    ).toEqual(expect.arrayContaining(['opened', 'dispatched']));
    await eventually(() => en.some((f) => f.type === 'alert'));
    expect(en.find((f) => f.type === 'alert')!.data.title).toBe('Fire in bike shed 3');

    gw.gateway.ctx.bus.emit('deviceHealthChanged', {
      deviceId: 'smoke-shed-3',
      status: 'offline',
      lastSeen: Date.parse('2026-11-25T07:58:00Z'),
      batteryPct: 80,
      cause: 'silent',
    });
    await eventually(() => mg3.some((f) => f.type === 'device_health'));
    expect(mg3.find((f) => f.type === 'device_health')!.data).toMatchObject({
      deviceId: 'smoke-shed-3',
      status: 'offline',
    });

    await gw.api('PUT', '/api/site/mode', { user: 'admin', body: { mode: 'emergency' } });
    await eventually(() => mg1.some((f) => f.type === 'site_mode'));
    // Micro-grid 1 saw the site mode, and nothing of micro-grid 3.
    expect(mg1.map((f) => f.type)).toEqual(['site_mode']);
    expect(mg1[0]!.data).toMatchObject({ mode: 'emergency', by: 'admin' });
    expect(new Set(mg3.map((f) => f.type))).toEqual(
      new Set(['alert', 'incident', 'device_health', 'site_mode']),
    );
  });

  it('refuses a connection without a valid token', async () => {
    gw = await startAlertingGateway();
    const ws = new WebSocket(`${gw.http.replace('http', 'ws')}/api/stream?token=nope`);
    ws.on('error', () => undefined); // the refused upgrade also surfaces as an error event
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
  });
});
