/**
 * Message bodies as Chinese teams' group robots accept them, and how each says "ok":
 * - WeCom 企业微信群机器人: `{"msgtype":"markdown","markdown":{"content"}}`, `<@userid>` mentions;
 *   answers `{"errcode":0,"errmsg":"ok"}` (HTTP 200 even when it refuses, e.g. 45009 rate limit).
 * - DingTalk 钉钉自定义机器人: `{"msgtype":"markdown","markdown":{"title","text"},"at":{"atMobiles"}}`;
 *   加签 adds `timestamp` and `sign` = Base64(HmacSHA256(secret, "timestamp\nsecret")) to the URL;
 *   answers `{"errcode":0,"errmsg":"ok"}`.
 * - Feishu 飞书自定义机器人: `{"msg_type":"text","content":{"text"}}`; 签名校验 adds `timestamp`
 *   (seconds) and `sign` = Base64(HmacSHA256(key "timestamp\nsecret", empty message)) to the body;
 *   answers `{"code":0,"msg":"success"}` (older robots: `{"StatusCode":0}`).
 */
import { createHmac } from 'node:crypto';
import type { RobotType } from './config.ts';

export interface Notice {
  title: string;
  lines: string[];
  severity: string;
  /** Phones (DingTalk) and WeCom user ids of the people to @-mention. */
  mentionPhones: string[];
  mentionWecom: string[];
  /** The incident JSON, for the generic format. */
  payload: unknown;
}

export interface RobotRequest {
  url: string;
  body: unknown;
}

export function buildRobotRequest(
  type: RobotType,
  url: string,
  secret: string | null,
  n: Notice,
  nowMs: number,
): RobotRequest {
  switch (type) {
    case 'wecom': {
      const mentions = n.mentionWecom.map((id) => `<@${id}>`).join(' ');
      const content = [`### ${n.title}`, ...n.lines.map((l) => `> ${l}`), mentions]
        .filter(Boolean)
        .join('\n');
      // WeCom caps markdown content at 4096 bytes.
      return { url, body: { msgtype: 'markdown', markdown: { content: truncateBytes(content, 4096) } } };
    }
    case 'dingtalk': {
      const mentions = n.mentionPhones.map((p) => `@${p}`).join(' ');
      const text = [`### ${n.title}`, ...n.lines.map((l) => `- ${l}`), mentions].filter(Boolean).join('\n\n');
      const body = {
        msgtype: 'markdown',
        markdown: { title: n.title, text },
        at: { atMobiles: n.mentionPhones, isAtAll: false },
      };
      if (!secret) return { url, body };
      const sign = createHmac('sha256', secret).update(`${nowMs}\n${secret}`).digest('base64');
      const signed = new URL(url);
      signed.searchParams.set('timestamp', String(nowMs));
      signed.searchParams.set('sign', sign);
      return { url: signed.toString(), body };
    }
    case 'feishu': {
      const body: Record<string, unknown> = {
        msg_type: 'text',
        content: { text: [n.title, ...n.lines].join('\n') },
      };
      if (secret) {
        const ts = Math.floor(nowMs / 1000);
        body.timestamp = String(ts);
        body.sign = createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64');
      }
      return { url, body };
    }
    case 'generic':
      return { url, body: n.payload };
  }
}

/** Did the robot take it? HTTP 2xx and, for the robots, a zero error code in the JSON body. */
export function robotAccepted(
  type: RobotType,
  status: number,
  text: string,
): { ok: boolean; error: string | null } {
  if (status < 200 || status >= 300) return { ok: false, error: `HTTP ${status}` };
  if (type === 'generic') return { ok: true, error: null };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false, error: 'robot answered with something that is not JSON' };
  }
  const code = body.errcode ?? body.code ?? body.StatusCode;
  if (code === 0) return { ok: true, error: null };
  return {
    ok: false,
    error: `robot error ${String(code)}: ${String(body.errmsg ?? body.msg ?? body.StatusMessage ?? '')}`,
  };
}

/** Cuts a text to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(s: string, max: number): string {
  const buf = Buffer.from(s);
  return buf.length <= max
    ? s
    : `${buf
        .subarray(0, max - 3)
        .toString('utf8')
        .replace(/\uFFFD$/, '')}…`;
}
