import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';

import { parseSite } from '../../../gateway/src/site/site-loader.ts';
import { eventually, makeDataDir } from '../../helpers/gateway.ts';
import {
  inactivity,
  startAlertingGateway,
  shedFire,
  writeSite,
  type AlertingTestGateway,
} from '../alerting/fixtures.ts';
import { dingtalkStandIn, feishuStandIn, smsStandIn, wecomStandIn, type StandIn } from './app-stand-ins.ts';

const S = 1000;
const PAGE = 'https://weige.example.cn/worker.html';
const standIns: StandIn[] = [];
const envSet: string[] = [];
let gw: AlertingTestGateway | undefined;

function setEnv(vars: Record<string, string>): void {
  for (const [k, v] of Object.entries(vars)) {
    process.env[k] = v;
    envSet.push(k);
  }
}

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
  for (const s of standIns.splice(0)) await s.close();
  for (const k of envSet.splice(0)) delete process.env[k];
});

interface Delivery {
  channelId: string;
  incidentId: string | null;
  event: string;
  recipient: string | null;
  attempt: number;
  outcome: string;
  error: string | null;
}

/** A WeCom app channel on corp 'ww-corp', agent 7, retrying at once. */
const wecomApp = (secretEnv: string, over: Record<string, unknown>) => ({
  id: 'wecom-app',
  type: 'wecom',
  appId: 'ww-corp',
  agentId: 7,
  secretEnv,
  backoffS: 0,
  ...over,
});

/** A gateway on the example site with these channels (no group robots). */
async function startWith(channels: Record<string, unknown>): Promise<AlertingTestGateway> {
  const siteFile = writeSite(makeDataDir(), { channels: { webhooks: [], ...channels } });
  return startAlertingGateway({ dataDir: makeDataDir(), siteFile });
}

const deliveries = async (channel: string): Promise<Delivery[]> =>
  (
    await gw!.api<Delivery[]>('GET', `/api/channels/deliveries?channel=${channel}&limit=500`, {
      user: 'engineer',
    })
  ).body.reverse();

const fireId = async (): Promise<string> =>
  (await gw!.api<Array<{ id: string }>>('GET', '/api/incidents?kind=fire', { user: 'admin' })).body[0]!.id;

describe('personal messages through work apps', () => {
  it('sends each worker paged a WeCom, DingTalk and Feishu message linking to the incident, one token per app', async () => {
    const wecom = await wecomStandIn('ww-corp', 'wecom-secret');
    const ding = await dingtalkStandIn('ding-key', 'ding-secret');
    const feishu = await feishuStandIn('cli_app', 'feishu-secret');
    standIns.push(wecom, ding, feishu);
    setEnv({ T1_WECOM: 'wecom-secret', T1_DING: 'ding-secret', T1_FEISHU: 'feishu-secret' });
    const common = { backoffS: 0, timeoutS: 2 };
    const siteFile = writeSite(makeDataDir(), {
      channels: {
        webhooks: [],
        apps: [
          {
            id: 'wecom-app',
            type: 'wecom',
            appId: 'ww-corp',
            agentId: 1000002,
            secretEnv: 'T1_WECOM',
            apiUrl: wecom.url,
            ...common,
          },
          {
            id: 'ding-app',
            type: 'dingtalk',
            appId: 'ding-key',
            agentId: 2983,
            secretEnv: 'T1_DING',
            apiUrl: ding.url,
            ...common,
          },
          {
            id: 'feishu-app',
            type: 'feishu',
            appId: 'cli_app',
            secretEnv: 'T1_FEISHU',
            apiUrl: feishu.url,
            lang: 'en',
            ...common,
          },
        ],
        paging: { pageUrl: PAGE },
      },
    });
    gw = await startAlertingGateway({ dataDir: makeDataDir(), siteFile });
    gw.raise(shedFire());
    const id = await fireId();
    // The fire pages the A posts: the shed's responder and the property manager.
    const paged = ['mg3-responder-a', 'property'];
    await eventually(
      () => wecom.sends().length === 2 && ding.sends().length === 2 && feishu.sends().length === 2,
    );

    const link = `${PAGE}#incident=${encodeURIComponent(id)}`;
    const w = wecom.sends().map((r) => r.body!);
    expect(w.map((b) => b.touser).sort()).toEqual(paged);
    expect(w[0]).toMatchObject({
      msgtype: 'textcard',
      agentid: 1000002,
      textcard: { url: link, btntxt: '打开工单' },
    });
    expect((w[0]!.textcard as { title: string }).title).toBe('【紧急】3号非机动车棚火警');
    expect((w[0]!.textcard as { description: string }).description).toContain('位置');

    const d = ding.sends().map((r) => r.body!);
    expect(d.map((b) => b.userid_list).sort()).toEqual(paged);
    expect(d[0]).toMatchObject({
      agent_id: 2983,
      msg: { msgtype: 'action_card', action_card: { single_url: link } },
    });

    const f = feishu.sends();
    expect(f.map((r) => r.body!.receive_id).sort()).toEqual(paged);
    expect(f[0]!.headers.authorization).toBe('Bearer token-1');
    const post = JSON.parse(String(f[0]!.body!.content)) as {
      en_us: { title: string; content: unknown[][] };
    };
    expect(post.en_us.title).toBe('[CRITICAL] Fire in bike shed 3');
    expect(post.en_us.content.at(-1)).toEqual([{ tag: 'a', text: 'Open the incident', href: link }]);

    // One token per app, reused for both people.
    expect([wecom, ding, feishu].map((s) => s.tokenCalls().length)).toEqual([1, 1, 1]);
    expect(wecom.tokenCalls()[0]!.query.get('corpid')).toBe('ww-corp');
    expect(ding.tokenCalls()[0]!.query.get('appkey')).toBe('ding-key');
    expect(feishu.tokenCalls()[0]!.body).toEqual({ app_id: 'cli_app', app_secret: 'feishu-secret' });

    for (const ch of ['wecom-app', 'ding-app', 'feishu-app']) {
      const recs = (await deliveries(ch)).filter((r) => r.incidentId === id);
      expect(recs.map((r) => [r.recipient, r.event, r.outcome]).sort()).toEqual(
        paged.map((p) => [p, 'dispatched', 'ok']),
      );
    }
  });

  it('repeats the page with every reminder until someone accepts, renewing expired tokens, each repeat recorded', async () => {
    // Tokens live 400 s; renewed 5 min early, so each is used for 100 s.
    const wecom = await wecomStandIn('ww-corp', 's3cret', 400);
    standIns.push(wecom);
    setEnv({ T2_WECOM: 's3cret', T2_WECOM_URL: wecom.url });
    // The vendor invalidates the first token early: the first send is refused with 42001.
    wecom.expireTokenForNext(1);
    gw = await startWith({
      apps: [wecomApp('T2_WECOM', { apiUrlEnv: 'T2_WECOM_URL' })],
      paging: { pageUrl: PAGE },
    });
    gw.raise(shedFire());
    const id = await fireId();
    const forFire = async () => (await deliveries('wecom-app')).filter((r) => r.incidentId === id);
    await eventually(async () => (await forFire()).filter((r) => r.outcome === 'ok').length === 2);
    const first = await forFire();
    const refused = first.filter((r) => r.outcome === 'api_error');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.error).toContain('42001');
    expect(first.map((r) => r.attempt).sort()).toEqual([1, 1, 2]);

    // Critical: a reminder every 60 s while nobody accepts — each pages both people again.
    gw.clock.advance(60 * S);
    await eventually(
      async () => (await forFire()).filter((r) => r.event === 'reminded' && r.outcome === 'ok').length === 2,
    );
    gw.clock.advance(60 * S);
    await eventually(
      async () => (await forFire()).filter((r) => r.event === 'reminded' && r.outcome === 'ok').length === 4,
    );
    // 120 s on, the token (good for 100 s) was renewed before use rather than refused.
    expect(wecom.tokenCalls().length).toBe(3);

    expect(await forFire()).toHaveLength(7); // 2 pages (+1 refused attempt), 2 reminders × 2 people
    const accepted = await gw.api('POST', `/api/incidents/${id}/accept`, {
      user: 'mg3-responder-a',
      body: {},
    });
    expect(accepted.status).toBe(200);
    gw.clock.advance(120 * S);
    // Accepted: the reminders stop, and so do the pages (the same count after two reminder periods).
    const history = (
      await gw.api<{ history: Array<{ type: string }> }>('GET', `/api/incidents/${id}`, { user: 'admin' })
    ).body.history;
    expect(history.filter((h) => h.type === 'reminded')).toHaveLength(2);
    expect(await forFire()).toHaveLength(7);
  });

  it('uses the channels each escalation step names: robots only, then the app, then SMS; off when unset', async () => {
    const wecom = await wecomStandIn('ww-corp', 'sec');
    const sms = await smsStandIn();
    standIns.push(wecom, sms);
    setEnv({ T3_WECOM: 'sec', T3_SMS_URL: `${sms.url}/send` });
    gw = await startWith({
      apps: [wecomApp('T3_WECOM', { apiUrl: wecom.url })],
      providers: [
        { id: 'sms', mode: 'sms', urlEnv: 'T3_SMS_URL', backoffS: 0 },
        { id: 'voice', mode: 'voice', urlEnv: 'T3_VOICE_URL_NOT_SET' },
      ],
      paging: { pageUrl: PAGE, steps: [[], ['wecom-app'], ['wecom-app', 'sms', 'voice']] },
    });
    const states = await gw.api<Array<{ id: string; enabled: boolean; reason: string | null }>>(
      'GET',
      '/api/channels/personal',
      { user: 'engineer' },
    );
    expect(states.body.map((s) => [s.id, s.enabled, s.reason])).toEqual([
      ['wecom-app', true, null],
      ['sms', true, null],
      ['voice', false, 'T3_VOICE_URL_NOT_SET is not set'],
    ]);
    gw.raise(shedFire());
    const id = await fireId();
    const forFire = async (ch: string) => (await deliveries(ch)).filter((r) => r.incidentId === id);
    // Step 0 (A posts): group robots only — reminders at 60 s and 120 s page nobody personally.
    gw.clock.advance(120 * S);
    expect(await forFire('wecom-app')).toEqual([]);
    // 180 s: escalated to the B posts (step 1): the app pages everyone paged so far.
    gw.clock.advance(60 * S);
    const escalated = async () => (await forFire('wecom-app')).filter((r) => r.event === 'escalated');
    await eventually(async () => (await escalated()).length === 4);
    expect((await escalated()).map((r) => r.recipient).sort()).toEqual([
      'mg3-responder-a',
      'mg3-responder-b',
      'property',
      'property-b',
    ]);
    expect(await forFire('sms')).toEqual([]);
    // 360 s: step 2 adds SMS to everyone with a phone.
    gw.clock.advance(180 * S);
    await eventually(async () => (await forFire('sms')).length >= 4);
    const texts = sms.received.filter((r) => r.body?.incidentId === id);
    expect(texts[0]!.body).toMatchObject({ mode: 'sms', link: `${PAGE}#incident=${encodeURIComponent(id)}` });
    const responderPhone = gw.gateway.ctx.site.staffMember('mg3-responder-a')!.contacts!.phone!;
    expect(texts.map((t) => t.body!.to)).toContain(responderPhone);
  });

  it('names a flat in one style, 3号楼1单元203室, in the message to the care worker', async () => {
    const wecom = await wecomStandIn('ww-corp', 'sec');
    standIns.push(wecom);
    setEnv({ T4_WECOM: 'sec' });
    gw = await startWith({ apps: [wecomApp('T4_WECOM', { apiUrl: wecom.url })], paging: { pageUrl: PAGE } });
    gw.raise(inactivity('B3-1-203'));
    await eventually(() => wecom.sends().length === 1);
    const card = wecom.sends()[0]!.body!;
    expect(card.touser).toBe('mg3-care-a');
    expect((card.textcard as { description: string }).description).toContain('位置: 3号楼1单元203室');
  });

  it('refuses a site whose paging steps name an unknown channel, or an app without its agent id, saying where', () => {
    const site = (channels: unknown) => readFileSync(writeSite(makeDataDir(), { channels }), 'utf8');
    expect(() =>
      parseSite(
        site({
          apps: [{ id: 'wecom-app', type: 'wecom', appId: 'c', secretEnv: 'X' }],
          paging: { steps: [['wecom-ap']] },
        }),
        'site.yaml',
      ),
    ).toThrow(
      /\/channels\/apps\/0 a wecom app needs its 'agentId'[\s\S]*\/channels\/paging\/steps\/0\/0 refers to unknown personal channel 'wecom-ap' \(known: wecom-app\)/,
    );
    expect(() =>
      parseSite(
        site({ apps: [{ id: 'a', type: 'wecom', appId: 'c', agentId: 1, secretEnv: 'lower' }] }),
        'site.yaml',
      ),
    ).toThrow(/\/channels\/apps\/0\/secretEnv must match pattern/);
  });
});
