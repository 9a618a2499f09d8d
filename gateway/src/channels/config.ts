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

export function readChannelsConfig(site: Site): { webhooks: WebhookConfig[] } {
  const section = (site.channels ?? {}) as {
    webhooks?: Array<Partial<WebhookConfig> & Pick<WebhookConfig, 'id' | 'type' | 'url'>>;
  };
  return { webhooks: (section.webhooks ?? []).map((w) => ({ ...WEBHOOK_DEFAULTS, ...w })) };
}
