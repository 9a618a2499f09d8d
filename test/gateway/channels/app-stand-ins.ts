/**
 * Local HTTP stand-ins for the work apps' open APIs (WeCom 企业微信, DingTalk 钉钉, Feishu 飞书).
 * Each checks a request against the shape its vendor documents and answers the way the vendor
 * does: HTTP 200 with `errcode`/`code` ≠ 0 when something is wrong, a token with a lifetime when
 * asked, and an "expired token" code when the test says the token has lapsed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | null;
}

export interface StandIn {
  url: string;
  received: Received[];
  /** Token requests and message sends, in order. */
  tokenCalls: () => Received[];
  sends: () => Received[];
  /** Tokens handed out; the next send with any earlier one is refused as expired. */
  tokens: string[];
  /** Makes the next n sends fail with the vendor's "token expired" code. */
  expireTokenForNext: (n: number) => void;
  close: () => Promise<void>;
}

type Answer = { status?: number; body: unknown };
type Handler = (r: Received, s: StandInState) => Answer;

interface StandInState {
  issue: () => string;
  current: () => string | undefined;
  /** True once when a forced expiry is pending. */
  forcedExpiry: () => boolean;
}

async function serve(handler: Handler, tokenPath: string): Promise<StandIn> {
  const received: Received[] = [];
  const tokens: string[] = [];
  let expireNext = 0;
  const state: StandInState = {
    issue: () => {
      const t = `token-${tokens.length + 1}`;
      tokens.push(t);
      return t;
    },
    current: () => tokens.at(-1),
    forcedExpiry: () => (expireNext > 0 ? (expireNext--, true) : false),
  };
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://stand-in');
      let body: Record<string, unknown> | null = null;
      try {
        body = data ? (JSON.parse(data) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      const r: Received = {
        method: req.method ?? '',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body,
      };
      received.push(r);
      const a = handler(r, state);
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    tokens,
    tokenCalls: () => received.filter((r) => r.path === tokenPath),
    sends: () => received.filter((r) => r.path !== tokenPath),
    expireTokenForNext: (n) => (expireNext = n),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** 企业微信: gettoken (GET corpid, corpsecret) and message/send (textcard). */
export function wecomStandIn(corpId: string, secret: string, expiresInS = 7200): Promise<StandIn> {
  return serve((r, s) => {
    if (r.path === '/cgi-bin/gettoken') {
      if (r.method !== 'GET') return { body: { errcode: 43001, errmsg: 'require GET method' } };
      if (r.query.get('corpid') !== corpId) return { body: { errcode: 40013, errmsg: 'invalid corpid' } };
      if (r.query.get('corpsecret') !== secret)
        return { body: { errcode: 40001, errmsg: 'invalid credential' } };
      return { body: { errcode: 0, errmsg: 'ok', access_token: s.issue(), expires_in: expiresInS } };
    }
    if (r.path === '/cgi-bin/message/send') {
      if (r.method !== 'POST') return { body: { errcode: 43002, errmsg: 'require POST method' } };
      const token = r.query.get('access_token');
      if (!token) return { body: { errcode: 41001, errmsg: 'access_token missing' } };
      if (token !== s.current() || s.forcedExpiry())
        return { body: { errcode: 42001, errmsg: 'access_token expired' } };
      const b = r.body ?? {};
      const card = b.textcard as Record<string, unknown> | undefined;
      if (!isNonEmptyString(b.touser)) return { body: { errcode: 40003, errmsg: 'invalid userid' } };
      if (typeof b.agentid !== 'number') return { body: { errcode: 40056, errmsg: 'invalid agentid' } };
      if (b.msgtype !== 'textcard' || !card)
        return { body: { errcode: 40008, errmsg: 'invalid message type' } };
      if (!isNonEmptyString(card.title) || !isNonEmptyString(card.description) || !isNonEmptyString(card.url))
        return { body: { errcode: 44004, errmsg: 'empty content' } };
      if (Buffer.byteLength(card.title) > 128 || Buffer.byteLength(card.description) > 512)
        return { body: { errcode: 45002, errmsg: 'content size out of limit' } };
      return { body: { errcode: 0, errmsg: 'ok', invaliduser: '', msgid: `msg-${r.query.size}` } };
    }
    return { status: 404, body: { errcode: 404, errmsg: 'not found' } };
  }, '/cgi-bin/gettoken');
}

/** 钉钉: gettoken (GET appkey, appsecret) and 工作通知 asyncsend_v2 (action_card). */
export function dingtalkStandIn(appKey: string, secret: string, expiresInS = 7200): Promise<StandIn> {
  return serve((r, s) => {
    if (r.path === '/gettoken') {
      if (r.query.get('appkey') !== appKey || r.query.get('appsecret') !== secret)
        return { body: { errcode: 40089, errmsg: '不合法的corpid或corpsecret' } };
      return { body: { errcode: 0, errmsg: 'ok', access_token: s.issue(), expires_in: expiresInS } };
    }
    if (r.path === '/topapi/message/corpconversation/asyncsend_v2') {
      const token = r.query.get('access_token');
      if (!token || token !== s.current() || s.forcedExpiry())
        return { body: { errcode: 40014, errmsg: '不合法的access_token' } };
      const b = r.body ?? {};
      const msg = b.msg as { msgtype?: string; action_card?: Record<string, unknown> } | undefined;
      if (typeof b.agent_id !== 'number') return { body: { errcode: 400002, errmsg: 'agent_id 参数不合法' } };
      if (!isNonEmptyString(b.userid_list))
        return { body: { errcode: 400002, errmsg: 'userid_list 参数不合法' } };
      const card = msg?.action_card;
      if (
        msg?.msgtype !== 'action_card' ||
        !card ||
        !isNonEmptyString(card.markdown) ||
        !isNonEmptyString(card.single_url)
      )
        return { body: { errcode: 400002, errmsg: 'msg 参数不合法' } };
      return { body: { errcode: 0, errmsg: 'ok', task_id: 256271667526, request_id: 'req' } };
    }
    return { status: 404, body: { errcode: 404, errmsg: 'not found' } };
  }, '/gettoken');
}

/** 飞书: tenant_access_token/internal (POST app_id, app_secret) and im/v1/messages (post). */
export function feishuStandIn(appId: string, secret: string, expireS = 7200): Promise<StandIn> {
  const TOKEN = '/open-apis/auth/v3/tenant_access_token/internal';
  return serve((r, s) => {
    if (r.path === TOKEN) {
      if (r.method !== 'POST' || r.body?.app_id !== appId || r.body?.app_secret !== secret)
        return { status: 400, body: { code: 10014, msg: 'app secret invalid' } };
      return { body: { code: 0, msg: 'ok', tenant_access_token: s.issue(), expire: expireS } };
    }
    if (r.path === '/open-apis/im/v1/messages') {
      const auth = r.headers.authorization ?? '';
      if (auth !== `Bearer ${s.current()}` || s.forcedExpiry())
        return { status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization.' } };
      if (r.query.get('receive_id_type') !== 'user_id')
        return { status: 400, body: { code: 230001, msg: 'invalid receive_id_type' } };
      const b = r.body ?? {};
      if (!isNonEmptyString(b.receive_id))
        return { status: 400, body: { code: 230001, msg: 'invalid receive_id' } };
      // content is a JSON *string* holding the post body.
      if (b.msg_type !== 'post' || typeof b.content !== 'string')
        return { status: 400, body: { code: 230001, msg: 'invalid content' } };
      try {
        JSON.parse(b.content);
      } catch {
        return { status: 400, body: { code: 230001, msg: 'content is not JSON' } };
      }
      return { body: { code: 0, msg: 'success', data: { message_id: 'om_1' } } };
    }
    return { status: 404, body: { code: 404, msg: 'not found' } };
  }, TOKEN);
}

/** An SMS/voice gateway behind the `http` provider adapter. */
export function smsStandIn(): Promise<StandIn> {
  return serve((r) => {
    const b = r.body ?? {};
    if (!isNonEmptyString(b.to) || !isNonEmptyString(b.text) || !['sms', 'voice'].includes(String(b.mode)))
      return { status: 422, body: { ok: false } };
    return { body: { ok: true } };
  }, '/no-token');
}
