/** Notification channels from the site file's `channels` section (schema: site.schema.json). */
import type { Severity } from '../contracts/alerts.ts';
import type { Site } from '../contracts/site.ts';

export const ROBOT_TYPES = ['wecom', 'dingtalk', 'feishu', 'generic'] as const;
export type RobotType = (typeof ROBOT_TYPES)[number];

export interface WebhookConfig {
  id: string;
  /** Group-robot format: WeCom 企业微信, DingTalk 钉钉, Feishu 飞书, or the incident JSON as is. */
  type: RobotType;
  url: string;
  /** Signing secret (DingTalk 加签, Feishu 签名校验); unset when the robot does not sign. */
  secret: string | null;
  lang: 'zh-CN' | 'en';
  /** Alert kinds sent (empty: every kind). */
  kinds: string[];
  minSeverity: Severity;
  /** Incident changes sent: dispatched, escalated, reminded, resolved, auto_resolved, … */
  events: string[];
  /** Only incidents under these grid nodes (empty: the whole site). */
  grids: string[];
  /** @-mention the people paged (by phone for DingTalk, WeCom user id for WeCom). */
  mentionPaged: boolean;
  timeoutS: number;
  maxAttempts: number;
  /** Delay before retry n is backoffS × 2^(n-1). */
  backoffS: number;
}

export const WEBHOOK_DEFAULTS: Omit<WebhookConfig, 'id' | 'type' | 'url'> = {
  secret: null,
  lang: 'zh-CN',
  kinds: [],
  minSeverity: 'minor',
  events: ['dispatched', 'escalated', 'reminded', 'resolved', 'auto_resolved'],
  grids: [],
  mentionPaged: true,
  timeoutS: 5,
  maxAttempts: 5,
  backoffS: 2,
};

export const APP_TYPES = ['wecom', 'dingtalk', 'feishu'] as const;
export type AppType = (typeof APP_TYPES)[number];

/** Where each vendor's open API lives; a site may point elsewhere (a proxy, a test stand-in). */
export const APP_API_URLS: Record<AppType, string> = {
  wecom: 'https://qyapi.weixin.qq.com',
  dingtalk: 'https://oapi.dingtalk.com',
  feishu: 'https://open.feishu.cn',
};

/** Personal messages through a work app: 企业微信 应用消息, 钉钉 工作通知, 飞书 消息. */
export interface AppChannelConfig {
  id: string;
  type: AppType;
  /** corpid (WeCom), AppKey (DingTalk) or App ID (Feishu). */
  appId: string;
  /** agentid (WeCom), agent_id (DingTalk); Feishu has none. */
  agentId: number | null;
  /** The app secret itself is never in the site file: the environment variable that holds it. */
  secretEnv: string;
  apiUrl: string;
  /** When set, the API address comes from this environment variable; unset there = channel off. */
  apiUrlEnv: string | null;
  lang: 'zh-CN' | 'en';
  timeoutS: number;
  maxAttempts: number;
  backoffS: number;
}

export const APP_DEFAULTS = {
  agentId: null,
  apiUrlEnv: null,
  lang: 'zh-CN',
  timeoutS: 5,
  maxAttempts: 4,
  backoffS: 2,
} as const;

/** An SMS or voice-call provider behind the adapter interface (providers.ts). */
export interface ProviderConfig {
  id: string;
  /** `http`: a JSON POST to the operator's SMS/voice gateway (the adapter most providers fit). */
  type: 'http';
  mode: 'sms' | 'voice';
  url: string;
  urlEnv: string | null;
  /** Environment variable holding a bearer token for the gateway, if it wants one. */
  tokenEnv: string | null;
  lang: 'zh-CN' | 'en';
  timeoutS: number;
  maxAttempts: number;
  backoffS: number;
}

export interface PagingConfig {
  /**
   * Personal channels (app and provider ids) per escalation step: step 0 pages the A post, each
   * escalation moves one on, the last entry serves every later step. Empty entry: robots only.
   */
  steps: string[][] | null;
  /** The phone page as workers reach it; a message links to `pageUrl#incident=<id>`. */
  pageUrl: string | null;
  pageUrlEnv: string | null;
}

export interface ChannelsConfig {
  webhooks: WebhookConfig[];
  apps: AppChannelConfig[];
  providers: ProviderConfig[];
  paging: PagingConfig;
}

type Given<T, K extends keyof T> = Partial<T> & Pick<T, K>;

export function readChannelsConfig(site: Site): ChannelsConfig {
  const section = (site.channels ?? {}) as {
    webhooks?: Array<Given<WebhookConfig, 'id' | 'type' | 'url'>>;
    apps?: Array<Given<AppChannelConfig, 'id' | 'type' | 'appId' | 'secretEnv'>>;
    providers?: Array<Given<ProviderConfig, 'id' | 'mode'>>;
    paging?: Partial<PagingConfig>;
  };
  return {
    webhooks: (section.webhooks ?? []).map((w) => ({ ...WEBHOOK_DEFAULTS, ...w })),
    apps: (section.apps ?? []).map((a) => ({ ...APP_DEFAULTS, apiUrl: APP_API_URLS[a.type], ...a })),
    providers: (section.providers ?? []).map((p) => ({
      type: 'http',
      url: '',
      urlEnv: null,
      tokenEnv: null,
      lang: 'zh-CN',
      timeoutS: 5,
      maxAttempts: 3,
      backoffS: 5,
      ...p,
    })),
    paging: { steps: null, pageUrl: null, pageUrlEnv: null, ...section.paging },
  };
}

/**
 * The value a setting takes: from its environment variable when it names one, else as written.
 * Returns null when the variable is named but unset: the channel stays off.
 */
export function fromEnv(
  written: string | null,
  envName: string | null,
  env: NodeJS.ProcessEnv,
): string | null {
  if (envName) return env[envName] || null;
  return written || null;
}
