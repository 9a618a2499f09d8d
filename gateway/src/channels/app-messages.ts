/**
 * Personal messages through the work apps Chinese community workers carry, as each vendor
 * documents them. Each app fetches an access token with its id and secret, keeps it until shortly
 * before it expires, and drops it when the API says it is no longer valid (the next attempt
 * fetches a fresh one).
 * - WeCom 企业微信 应用消息: GET /cgi-bin/gettoken?corpid&corpsecret → {errcode, access_token,
 *   expires_in}; POST /cgi-bin/message/send?access_token= {touser, msgtype: "textcard", agentid,
 *   textcard: {title, description, url, btntxt}} → {errcode: 0, invaliduser}.
 * - DingTalk 钉钉 工作通知: GET /gettoken?appkey&appsecret → {errcode, access_token, expires_in};
 *   POST /topapi/message/corpconversation/asyncsend_v2?access_token= {agent_id, userid_list,
 *   msg: {msgtype: "action_card", action_card: {title, markdown, single_title, single_url}}}
 *   → {errcode: 0, task_id}.
 * - Feishu 飞书 消息: POST /open-apis/auth/v3/tenant_access_token/internal {app_id, app_secret}
 *   → {code, tenant_access_token, expire}; POST /open-apis/im/v1/messages?receive_id_type=user_id
 *   with `Authorization: Bearer` {receive_id, msg_type: "post", content: "<JSON string>"} → {code: 0}.
 */
import type { Clock } from '../core/clock.ts';
import type { AppChannelConfig, AppType } from './config.ts';
import { exchange, type AttemptResult, type Endpoint } from './delivery-queue.ts';
import { truncateBytes } from './robot-formats.ts';

/** What a worker gets on a locked phone: a title, a few lines, and the link that opens the incident. */
export interface PersonalMessage {
  /** The vendor's user id (app channels) or phone number (SMS/voice). */
  to: string | null;
  title: string;
  lines: string[];
  link: string;
  linkText: string;
}

/** Tokens are renewed this long before the vendor says they expire (clock skew, slow calls). */
const TOKEN_MARGIN_MS = 5 * 60_000;

/** Error codes meaning "this token is no longer good": WeCom/DingTalk 40014 invalid, 42001 expired, 41001 missing. */
const TOKEN_ERRCODES: Record<AppType, ReadonlySet<number>> = {
  wecom: new Set([40014, 41001, 42001]),
  dingtalk: new Set([40014, 41001, 42001]),
  feishu: new Set([99991661, 99991663, 99991668]),
};

interface Token {
  value: string;
  expiresAt: number;
}

type Json = Record<string, unknown>;

function parseJson(text: string): Json | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Json) : null;
  } catch {
    return null;
  }
}

/** The vendor's error code: `errcode` (WeCom, DingTalk) or `code` (Feishu); 0 means ok. */
function codeOf(body: Json): number | null {
  const c = body.errcode ?? body.code;
  return typeof c === 'number' ? c : null;
}

function describeError(body: Json): string {
  return `errcode ${String(codeOf(body))}: ${String(body.errmsg ?? body.msg ?? '')}`;
}

interface VendorRequest {
  url: string;
  init: RequestInit;
}

interface Vendor {
  tokenRequest(base: string, appId: string, secret: string): VendorRequest;
  /** Token value and lifetime in seconds from the token answer. */
  readToken(body: Json): { value: string; lifetimeS: number } | null;
  sendRequest(base: string, token: string, c: AppChannelConfig, m: PersonalMessage): VendorRequest;
  /** A zero code can still hide a refused recipient (WeCom's `invaliduser`). */
  refusal?(body: Json): string | null;
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

/** WeCom and DingTalk answer a token request alike: `access_token` and `expires_in` seconds. */
const readAccessToken = (b: Json): { value: string; lifetimeS: number } | null =>
  typeof b.access_token === 'string'
    ? { value: b.access_token, lifetimeS: Number(b.expires_in ?? 7200) }
    : null;

const VENDORS: Record<AppType, Vendor> = {
  wecom: {
    tokenRequest: (base, appId, secret) => ({
      url: `${base}/cgi-bin/gettoken?corpid=${encodeURIComponent(appId)}&corpsecret=${encodeURIComponent(secret)}`,
      init: { method: 'GET' },
    }),
    readToken: readAccessToken,
    sendRequest: (base, token, c, m) => ({
      url: `${base}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`,
      // textcard: title ≤ 128 bytes, description ≤ 512 bytes (WeCom's limits).
      init: json({
        touser: m.to,
        msgtype: 'textcard',
        agentid: c.agentId,
        textcard: {
          title: truncateBytes(m.title, 128),
          description: truncateBytes(m.lines.join('\n'), 512),
          url: m.link,
          btntxt: m.linkText,
        },
      }),
    }),
    refusal: (b) =>
      typeof b.invaliduser === 'string' && b.invaliduser ? `unknown WeCom user ${b.invaliduser}` : null,
  },
  dingtalk: {
    tokenRequest: (base, appId, secret) => ({
      url: `${base}/gettoken?appkey=${encodeURIComponent(appId)}&appsecret=${encodeURIComponent(secret)}`,
      init: { method: 'GET' },
    }),
    readToken: readAccessToken,
    sendRequest: (base, token, c, m) => ({
      url: `${base}/topapi/message/corpconversation/asyncsend_v2?access_token=${encodeURIComponent(token)}`,
      init: json({
        agent_id: c.agentId,
        userid_list: m.to,
        msg: {
          msgtype: 'action_card',
          action_card: {
            title: m.title,
            markdown: truncateBytes([`### ${m.title}`, ...m.lines].join('\n\n'), 2000),
            single_title: m.linkText,
            single_url: m.link,
          },
        },
      }),
    }),
  },
  feishu: {
    tokenRequest: (base, appId, secret) => ({
      url: `${base}/open-apis/auth/v3/tenant_access_token/internal`,
      init: json({ app_id: appId, app_secret: secret }),
    }),
    readToken: (b) =>
      typeof b.tenant_access_token === 'string'
        ? { value: b.tenant_access_token, lifetimeS: Number(b.expire ?? 7200) }
        : null,
    sendRequest: (base, token, c, m) => ({
      url: `${base}/open-apis/im/v1/messages?receive_id_type=user_id`,
      init: json(
        {
          receive_id: m.to,
          msg_type: 'post',
          content: JSON.stringify({
            [c.lang === 'en' ? 'en_us' : 'zh_cn']: {
              title: m.title,
              content: [
                ...m.lines.map((text) => [{ tag: 'text', text }]),
                [{ tag: 'a', text: m.linkText, href: m.link }],
              ],
            },
          }),
        },
        { authorization: `Bearer ${token}` },
      ),
    }),
  },
};

/** One work-app channel: an Endpoint for the delivery queue, holding its token between attempts. */
export class AppMessenger implements Endpoint {
  readonly id: string;
  readonly maxAttempts: number;
  readonly backoffS: number;
  private token: Token | null = null;
  private readonly vendor: Vendor;

  constructor(
    private readonly config: AppChannelConfig,
    private readonly access: { apiUrl: string; secret: string },
    private readonly clock: Clock,
  ) {
    this.id = config.id;
    this.maxAttempts = config.maxAttempts;
    this.backoffS = config.backoffS;
    this.vendor = VENDORS[config.type];
  }

  async attempt(message: unknown, nowMs: number): Promise<AttemptResult> {
    const m = message as PersonalMessage;
    if (!m.to) return { outcome: 'no_address', statusCode: null, error: `no ${this.config.type} user id` };
    const token = await this.currentToken(nowMs);
    if ('outcome' in token) return token;
    const req = this.vendor.sendRequest(this.base, token.value, this.config, m);
    const answer = await exchange(req.url, req.init, this.config.timeoutS);
    if ('outcome' in answer) return answer;
    const body = parseJson(answer.text);
    if (!body)
      return { outcome: 'http_error', statusCode: answer.status, error: `HTTP ${answer.status}, not JSON` };
    const code = codeOf(body);
    if (code !== 0) {
      if (code !== null && TOKEN_ERRCODES[this.config.type].has(code)) this.token = null;
      return { outcome: 'api_error', statusCode: answer.status, error: describeError(body) };
    }
    const refused = this.vendor.refusal?.(body) ?? null;
    if (refused) return { outcome: 'api_error', statusCode: answer.status, error: refused };
    return { outcome: 'ok', statusCode: answer.status, error: null };
  }

  private get base(): string {
    return this.access.apiUrl.replace(/\/+$/, '');
  }

  private async currentToken(nowMs: number): Promise<Token | AttemptResult> {
    if (this.token && nowMs < this.token.expiresAt) return this.token;
    const req = this.vendor.tokenRequest(this.base, this.config.appId, this.access.secret);
    const answer = await exchange(req.url, req.init, this.config.timeoutS);
    if ('outcome' in answer) return { ...answer, error: `token: ${answer.error ?? ''}` };
    const body = parseJson(answer.text);
    const read = body && codeOf(body) === 0 ? this.vendor.readToken(body) : null;
    if (!read)
      return {
        outcome: 'api_error',
        statusCode: answer.status,
        error: `token refused: ${body ? describeError(body) : `HTTP ${answer.status}`}`,
      };
    this.token = {
      value: read.value,
      expiresAt: this.clock.now() + Math.max(0, read.lifetimeS * 1000 - TOKEN_MARGIN_MS),
    };
    return this.token;
  }
}
