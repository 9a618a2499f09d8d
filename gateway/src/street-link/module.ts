/**
 * The street link (issue 19): this community's way up to the street hub and the street's way
 * down. It runs only when WEIGE_HUB_URL is set, and nothing in the community waits for it:
 * detection, routing and escalation go on while the hub is unreachable, the uplink outbox keeps
 * every record on disk, and both directions resume where they stopped.
 */
import { Counter, Gauge } from 'prom-client';
import type { Alert } from '../contracts/alerts.ts';
import type { GatewayContext } from '../context.ts';
import { AlertingModule } from '../alerting/module.ts';
import { StreetActions } from '../alerting/street-actions.ts';
import { Errors } from '../core/errors.ts';
import { moduleLogger } from '../core/logger.ts';
import type { GatewayModule, ModuleFactory } from '../module.ts';
import { DownlinkPoller } from './downlink-poller.ts';
import { HubClient } from './hub-client.ts';
import { UplinkOutbox } from './uplink-outbox.ts';
import { UplinkSender } from './uplink-sender.ts';
import { forStreet } from './street-view.ts';

/** What the street gets of an alert: no evidence (images, readings) leaves the community. */
export function alertSummary(a: Alert): Omit<Alert, 'evidence'> {
  const { evidence: _evidence, ...summary } = a;
  return summary;
}

export class StreetLinkModule implements GatewayModule {
  readonly name = 'street-link';
  private unsubscribe: Array<() => void> = [];
  private sender: UplinkSender | null = null;
  private poller: DownlinkPoller | null = null;

  constructor(private readonly alerting: AlertingModule) {}

  start(ctx: GatewayContext): void {
    const { settings } = ctx;
    if (settings.hubUrls.length === 0) return;
    if (!settings.hubKey) throw Errors.configInvalid('WEIGE_HUB_URL is set but WEIGE_HUB_KEY is not');
    const log = moduleLogger(ctx.log, 'street-link');
    const siteId = ctx.site.siteId;
    const outbox = new UplinkOutbox(ctx.stores.db, ctx.stores.meta);
    const client = new HubClient(settings.hubUrls, siteId, settings.hubKey);
    const registers = [ctx.metrics.registry];
    const pushed = new Counter({
      name: 'weige_street_uplink_records_total',
      help: 'Uplink records the street hub answered, by outcome (stored includes duplicates)',
      labelNames: ['outcome'] as const,
      registers,
    });
    new Gauge({
      name: 'weige_street_uplink_pending',
      help: 'Records staged for the street hub and not yet stored there',
      registers,
      collect() {
        this.set(outbox.pendingCount());
      },
    });
    const sender = new UplinkSender({
      outbox,
      client,
      siteId,
      key: settings.hubKey,
      log,
      onPushed: (stored, refused) => {
        pushed.inc({ outcome: 'stored' }, stored);
        if (refused) pushed.inc({ outcome: 'refused' }, refused);
      },
    });
    // After the staging transaction has committed: never push a row that could still roll back.
    const kickSoon = (): void => void setImmediate(() => sender.kick());
    const stage = (kind: Parameters<UplinkOutbox['stage']>[0], body: unknown): void => {
      outbox.stage(kind, body, ctx.clock.now());
      kickSoon();
    };
    const actions = new StreetActions(this.alerting.running);
    const shares = (household: string): boolean =>
      ctx.privacy.consent.state(household)?.shareWithStreet === true;
    this.unsubscribe = [
      // Inside alerting's transaction: the uplink row commits with the change it reports.
      ctx.bus.on('publicationStaged', ({ what, body }) =>
        what === 'incident'
          ? stage('incident', forStreet(body, ctx.site, shares))
          : stage('alert', forStreet(alertSummary(body as unknown as Alert), ctx.site, shares)),
      ),
      ctx.bus.on('deviceHealthChanged', (h) => stage('device_health', h)),
      ctx.bus.on('siteModeChanged', (m) => stage('site_mode', { ...m, at: new Date(m.at).toISOString() })),
    ];
    this.poller = new DownlinkPoller({
      outbox,
      client,
      log,
      apply: (action, commit) =>
        actions.apply(action, (result) => {
          commit();
          stage('action_result', result);
        }),
    });
    this.sender = sender;
    this.poller.start();
    const pending = outbox.pendingCount();
    sender.kick();
    log.info(
      { hubs: settings.hubUrls, pending, downlinkCursor: outbox.downlinkCursor() },
      'street link started',
    );
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    await this.sender?.stop();
    this.sender = null;
    await this.poller?.stop();
    this.poller = null;
  }
}

/** Builds the street link on the alerting module built before it (it idles when no hub is set). */
export const createStreetLinkModule: ModuleFactory = (ctx, earlier) => {
  const alerting = earlier.find((m): m is AlertingModule => m instanceof AlertingModule);
  if (!alerting) throw Errors.configInvalid('the street link needs the alerting stage');
  return new StreetLinkModule(alerting);
};
