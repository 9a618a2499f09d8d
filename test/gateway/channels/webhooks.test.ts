import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { eventually, makeDataDir } from '../../helpers/gateway.ts';
import { startAlertingGateway, shedFire, writeSite, type AlertingTestGateway } from '../alerting/fixtures.ts';
import { testClock, testNow } from '../../helpers/clock.ts';

interface Received {
  url: string;
  body: Record<string, unknown>;
  at: number;
}

/** A robot on a real local HTTP server; `respond(n)` decides the n-th answer (1-based). */
async function robot(respond: (n: number) => { status?: number; body: unknown; delayMs?: number }) {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push({
        url: req.url ?? '',
        body: JSON.parse(data) as Record<string, unknown>,
        at: performance.now(),
      });
      const r = respond(received.length);
      const send = (): void => {
        if (res.destroyed) return;
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
      };
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return { url, received };
}

const servers: Server[] = [];
let gw: AlertingTestGateway;
afterEach(async () => {
  await gw?.stop();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

interface Delivery {
  attempt: number;
  outcome: string;
  statusCode: number | null;
  nextAttemptAt: string | null;
  event: string;
}

describe('webhooks to group robots', () => {
  it('delivers WeCom, DingTalk (signed) and Feishu (signed) formats, retrying slow and failing robots', async () => {
    const wecom = await robot(() => ({ body: { errcode: 0, errmsg: 'ok' } }));
    // DingTalk refuses the first message the way it does when rate-limited: HTTP 200, errcode ≠ 0.
    const dingtalk = await robot((n) => ({
      body: n === 1 ? { errcode: 130101, errmsg: 'send too fast' } : { errcode: 0, errmsg: 'ok' },
    }));
    // Feishu is slow the first time (past the 1 s attempt timeout), quick after.
    const feishu = await robot((n) => ({ body: { code: 0, msg: 'success' }, delayMs: n === 1 ? 3000 : 0 }));
    // A generic endpoint that is down: two attempts, then the delivery gives up.
    const generic = await robot(() => ({ status: 503, body: { error: 'down' } }));
    const dir = makeDataDir();
    const common = { timeoutS: 1, backoffS: 0.1, events: ['dispatched', 'escalated'] };
    const siteFile = writeSite(dir, {
      channels: {
        webhooks: [
          {
            id: 'mg3-wecom',
            type: 'wecom',
            url: `${wecom.url}/cgi-bin/webhook/send?key=k`,
            grids: ['mg-chunjiang-3'],
            ...common,
          },
          {
            id: 'mg3-dingtalk',
            type: 'dingtalk',
            url: `${dingtalk.url}/robot/send?access_token=t`,
            secret: 'SECabc',
            ...common,
          },
          {
            id: 'ops-feishu',
            type: 'feishu',
            url: `${feishu.url}/open-apis/bot/v2/hook/x`,
            secret: 'fs-secret',
            lang: 'en',
            ...common,
          },
          { id: 'archive', type: 'generic', url: `${generic.url}/hook`, maxAttempts: 2, ...common },
          { id: 'mg1-only', type: 'wecom', url: `${wecom.url}/mg1`, grids: ['mg-chunjiang-1'], ...common },
        ],
      },
    });
    gw = await startAlertingGateway({ dataDir: dir, siteFile }, [], testClock);
    gw.raise(shedFire({ eventTs: testNow() }));

    await eventually(
      () => wecom.received.length === 1 && dingtalk.received.length === 2 && feishu.received.length === 2,
      10_000,
    );
    await eventually(() => generic.received.length === 2, 10_000);

    const w = wecom.received[0]!;
    expect(w.url).toBe('/cgi-bin/webhook/send?key=k');
    expect(w.body.msgtype).toBe('markdown');
    const content = (w.body.markdown as { content: string }).content;
    expect(content).toContain('【紧急】3号非机动车棚火警');
    expect(content).toContain('派给');

    const d = dingtalk.received[1]!;
    const q = new URL(d.url, 'http://x').searchParams;
    const expected = createHmac('sha256', 'SECabc')
      .update(`${q.get('timestamp')}\nSECabc`)
      .digest('base64');
    expect(q.get('sign')).toBe(expected);
    expect(q.get('access_token')).toBe('t');
    expect(d.body.msgtype).toBe('markdown');
    const responderPhone = gw.gateway.ctx.site.staffMember('mg3-responder-a')!.contacts!.phone!;
    expect((d.body.at as { atMobiles: string[] }).atMobiles).toContain(responderPhone);

    const f = feishu.received[1]!;
    expect(f.body.msg_type).toBe('text');
    expect((f.body.content as { text: string }).text).toContain('[CRITICAL] Fire in bike shed 3');
    const fsign = createHmac('sha256', `${String(f.body.timestamp)}\nfs-secret`)
      .update('')
      .digest('base64');
    expect(f.body.sign).toBe(fsign);

    const g = generic.received[0]!;
    expect(g.body).toMatchObject({ kind: 'fire', state: 'dispatched' });

    const records = async (channel: string) =>
      (
        await gw.api<Delivery[]>('GET', `/api/channels/deliveries?channel=${channel}`, { user: 'engineer' })
      ).body.reverse();
    expect((await records('mg3-wecom')).map((r) => r.outcome)).toEqual(['ok']);
    const ding = await records('mg3-dingtalk');
    expect(ding.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'robot_error'],
      [2, 'ok'],
    ]);
    expect(ding[0]!.nextAttemptAt).not.toBeNull();
    expect((await records('ops-feishu')).map((r) => r.outcome)).toEqual(['timeout', 'ok']);
    const archive = await eventually(async () => {
      const r = await records('archive');
      return r.length === 2 ? r : null;
    });
    expect(archive.map((r) => [r.outcome, r.statusCode])).toEqual([
      ['http_error', 503],
      ['http_error', 503],
    ]);
    expect(archive[1]!.nextAttemptAt).toBeNull();
    expect(await records('mg1-only')).toEqual([]);

    const channels = await gw.api<
      Array<{ id: string; host: string; signed: boolean; url?: string; secret?: string }>
    >('GET', '/api/channels', {
      user: 'engineer',
    });
    const ding2 = channels.body.find((c) => c.id === 'mg3-dingtalk')!;
    expect(ding2.signed).toBe(true);
    expect(ding2).not.toHaveProperty('secret');
    expect(ding2).not.toHaveProperty('url');
    expect((await gw.api('GET', '/api/channels/deliveries', { user: 'mg1-worker-a' })).status).toBe(403);
  });

  it('resumes an undelivered message after a restart, at the attempt it had reached', async () => {
    let up = false;
    const wecom = await robot(() =>
      up ? { body: { errcode: 0, errmsg: 'ok' } } : { status: 502, body: {} },
    );
    const dir = makeDataDir();
    const siteFile = writeSite(dir, {
      channels: {
        webhooks: [
          {
            id: 'wecom',
            type: 'wecom',
            url: `${wecom.url}/send`,
            timeoutS: 1,
            backoffS: 0.5,
            maxAttempts: 5,
          },
        ],
      },
    });
    gw = await startAlertingGateway({ dataDir: dir, siteFile }, [], testClock);
    gw.raise(shedFire({ eventTs: testNow() }));
    await eventually(() => wecom.received.length >= 1);
    await gw.stop({ keepData: true });
    const attemptsBefore = wecom.received.length;
    up = true;
    gw = await startAlertingGateway({ dataDir: dir, siteFile }, [], testClock);
    await eventually(() => wecom.received.length === attemptsBefore + 1, 10_000);
    const records = (
      await gw.api<Delivery[]>('GET', '/api/channels/deliveries?channel=wecom', { user: 'engineer' })
    ).body.reverse();
    expect(records.map((r) => r.outcome)).toEqual([
      ...Array<string>(attemptsBefore).fill('http_error'),
      'ok',
    ]);
    expect(records.map((r) => r.attempt)).toEqual(
      Array.from({ length: attemptsBefore + 1 }, (_, k) => k + 1),
    );
    expect(new Set(wecom.received.map((r) => JSON.stringify(r.body))).size).toBe(1);
  });
});
