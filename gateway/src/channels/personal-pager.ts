/**
 * Personal pages: every worker paged gets a message of their own — through a work app (WeCom,
 * DingTalk, Feishu) or an SMS/voice provider — with a link that opens the incident on the phone
 * page. The site's `channels.paging.steps` says which channels serve which escalation step
 * (group robot only first, then app messages, then SMS/voice). Reminders repeat the page until
 * someone accepts; each repeat is its own delivery, recorded per attempt and per person.
 */
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { SiteIndex } from '../site/site-index.ts';
import { AppMessenger, type PersonalMessage } from './app-messages.ts';
import { fromEnv, type ChannelsConfig } from './config.ts';
import type { DeliveryJob, DeliveryQueue, Endpoint } from './delivery-queue.ts';
import { buildNotice } from './notice.ts';
import { PROVIDER_ADAPTERS } from './providers.ts';
import {
  CLOSED_STATES,
  UNACCEPTED_STATES,
  type IncidentState,
  type IncidentView,
} from '../contracts/incidents.ts';

/** Changes that page people. */
const PAGING_CHANGES = new Set(['dispatched', 'escalated', 'reminded', 'reassigned', 'reopened']);

interface PageMessage extends PersonalMessage {
  incidentId: string;
  /** Only worth sending while nobody has accepted (a page, a reminder). */
  whileUnaccepted: boolean;
}

export interface ChannelState {
  id: string;
  kind: 'app' | 'provider';
  type: string;
  enabled: boolean;
  /** Why the channel is off (an environment variable not set). */
  reason: string | null;
}

export class PersonalPager {
  readonly endpoints = new Map<string, Endpoint>();
  readonly states: ChannelState[] = [];
  private readonly lang = new Map<string, 'zh-CN' | 'en'>();
  private readonly addressOf = new Map<string, (staffId: string) => string | null>();
  private readonly latestState = new Map<string, IncidentState>();
  private readonly pageUrl: string | null;

  constructor(
    private readonly deps: {
      site: SiteIndex;
      config: ChannelsConfig;
      env: NodeJS.ProcessEnv;
      queue: DeliveryQueue;
      clock: Clock;
      log: Logger;
    },
  ) {
    const { config, env } = deps;
    this.pageUrl = fromEnv(config.paging.pageUrl, config.paging.pageUrlEnv, env);
    for (const a of config.apps) {
      const apiUrl = fromEnv(a.apiUrl, a.apiUrlEnv, env);
      const secret = env[a.secretEnv] || null;
      const reason = !apiUrl
        ? `${a.apiUrlEnv ?? 'apiUrl'} is not set`
        : !secret
          ? `${a.secretEnv} is not set`
          : !this.pageUrl
            ? `${config.paging.pageUrlEnv ?? 'channels.paging.pageUrl'} is not set`
            : null;
      this.states.push({ id: a.id, kind: 'app', type: a.type, enabled: !reason, reason });
      if (reason || !apiUrl || !secret) continue;
      this.endpoints.set(a.id, new AppMessenger(a, { apiUrl, secret }, deps.clock));
      this.lang.set(a.id, a.lang);
      this.addressOf.set(a.id, (staffId) => {
        const s = deps.site.staffMember(staffId);
        // Directories commonly use the work id as the app user id; contacts.<app> overrides it.
        return s ? (s.contacts?.[a.type] ?? s.username) : null;
      });
    }
    for (const p of config.providers) {
      const url = fromEnv(p.url, p.urlEnv, env);
      const token = p.tokenEnv ? env[p.tokenEnv] || null : null;
      const reason = !url
        ? `${p.urlEnv ?? 'url'} is not set`
        : p.tokenEnv && !token
          ? `${p.tokenEnv} is not set`
          : !this.pageUrl
            ? `${config.paging.pageUrlEnv ?? 'channels.paging.pageUrl'} is not set`
            : null;
      this.states.push({ id: p.id, kind: 'provider', type: `${p.type}:${p.mode}`, enabled: !reason, reason });
      if (reason || !url) continue;
      this.endpoints.set(p.id, PROVIDER_ADAPTERS[p.type](p, { url, token }));
      this.lang.set(p.id, p.lang);
      this.addressOf.set(p.id, (staffId) => deps.site.staffMember(staffId)?.contacts?.phone ?? null);
    }
    for (const s of this.states)
      if (!s.enabled) deps.log.info({ channel: s.id, reason: s.reason }, 'personal channel off');
  }

  /** The delivery queue asks before each attempt: a page is dropped once someone has accepted. */
  stillWanted = (job: DeliveryJob): boolean => {
    const m = job.message as PageMessage;
    if (!m.whileUnaccepted || !job.incidentId) return true;
    const state = this.latestState.get(job.incidentId);
    return state === undefined || UNACCEPTED_STATES.includes(state);
  };

  onIncidentChanged(i: IncidentView): void {
    if (CLOSED_STATES.includes(i.state)) this.latestState.delete(i.id);
    else this.latestState.set(i.id, i.state);
    if (!PAGING_CHANGES.has(i.lastChange.type) || !this.endpoints.size) return;
    const unaccepted = UNACCEPTED_STATES.includes(i.state);
    // Before anyone accepts, everyone paged so far is paged again; after, only the newly paged.
    const people = unaccepted ? i.paged : i.paged.filter((p) => p.step === i.escalationStep);
    for (const channelId of this.channelsFor(i.escalationStep)) {
      const endpoint = this.endpoints.get(channelId);
      if (!endpoint) continue;
      const lang = this.lang.get(channelId)!;
      const notice = buildNotice(this.deps.site, i, lang);
      for (const p of people) {
        const message: PageMessage = {
          to: this.addressOf.get(channelId)!(p.staffId),
          title: notice.title,
          lines: notice.lines,
          link: `${this.pageUrl}#incident=${encodeURIComponent(i.id)}`,
          linkText: lang === 'en' ? 'Open the incident' : '打开工单',
          incidentId: i.id,
          whileUnaccepted: unaccepted,
        };
        this.deps.queue.submit(endpoint, {
          deliveryId: `${channelId}:${i.id}:${i.lastChange.type}:${i.lastChange.at}:${p.staffId}`,
          incidentId: i.id,
          event: i.lastChange.type,
          recipient: p.staffId,
          message,
          attempts: 0,
          dueAt: this.deps.clock.now(),
        });
      }
    }
  }

  private channelsFor(step: number): string[] {
    const steps = this.deps.config.paging.steps;
    if (!steps?.length) return [...this.deps.config.apps.map((a) => a.id)];
    return steps[Math.min(step, steps.length - 1)] ?? [];
  }
}
