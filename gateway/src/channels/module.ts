/**
 * The channels stage: alerts and incident changes out to MQTT (QoS 1), to WeCom/DingTalk/Feishu
 * group robots (webhooks) and to each worker paged through work apps and SMS/voice providers —
 * all through the one durable outbox and its worker (outbox.ts), with retries and a delivery
 * record per attempt — and to the web pages over a WebSocket (`/api/stream`).
 */
import { Counter, Gauge } from 'prom-client';
import type { GatewayContext } from '../context.ts';
import { Errors } from '../core/errors.ts';
import { moduleLogger } from '../core/logger.ts';
import type { GatewayModule } from '../module.ts';
import { readChannelsConfig } from './config.ts';
import type { ChannelsFacade } from './facade.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import { DeliveryStore } from './delivery-store.ts';
import { OutboxWorker } from './outbox.ts';
import { PersonalPager } from './personal-pager.ts';
import { HEARTBEAT_MS, StreamHub } from './stream.ts';
import { WebhookSender } from './webhooks.ts';

export interface ChannelsRuntime {
  hub: StreamHub;
  webhooks: WebhookSender;
  pager: PersonalPager;
  queue: DeliveryQueue;
  deliveries: DeliveryStore;
  ctx: GatewayContext;
}

export class ChannelsModule implements GatewayModule {
  readonly name = 'channels';
  private runtime: ChannelsRuntime | null = null;
  private unsubscribe: Array<() => void> = [];
  private heartbeat: NodeJS.Timeout | null = null;
  private outbox: OutboxWorker | null = null;
  private log: ReturnType<typeof moduleLogger> | null = null;

  get running(): ChannelsRuntime {
    if (!this.runtime) throw Errors.stageNotRunning('channels are not running');
    return this.runtime;
  }

  /** What the API may ask of the running stage. */
  facade(): ChannelsFacade {
    const { hub, pager, deliveries, webhooks } = this.running;
    return {
      addStreamClient: (socket, user, lang) => hub.add(socket, user, lang),
      personalChannels: () => pager.states,
      deliveries: (q) => deliveries.list(q),
      sendTest: (channelId) => webhooks.sendTest(channelId),
    };
  }

  start(ctx: GatewayContext): void {
    const log = moduleLogger(ctx.log, 'channels');
    const registers = [ctx.metrics.registry];
    const published = new Counter({
      name: 'weige_channel_mqtt_published_total',
      help: 'Alerts and incident changes published on MQTT (QoS 1)',
      labelNames: ['what'] as const,
      registers,
    });
    const deliveriesTotal = new Counter({
      name: 'weige_webhook_attempts_total',
      help: 'Delivery attempts (robots, app messages, SMS/voice) by channel and outcome (ok, http_error, robot_error, api_error, timeout, network_error, no_address)',
      labelNames: ['channel', 'outcome'] as const,
      registers,
    });
    const hub = new StreamHub(ctx.site);
    new Gauge({
      name: 'weige_stream_clients',
      help: 'WebSocket clients connected to /api/stream',
      registers,
      collect() {
        this.set(hub.size);
      },
    });
    const deliveries = new DeliveryStore(ctx.stores.db);
    const config = readChannelsConfig(ctx.site.site);
    let pager: PersonalPager | null = null;
    const outboxStore = ctx.outbox.store;
    const outbox = new OutboxWorker({
      store: outboxStore,
      records: deliveries,
      mqtt: ctx.mqtt,
      clock: ctx.clock,
      log,
      onPublished: (what) => published.inc({ what }),
      onDelivery: (channel, outcome) => deliveriesTotal.inc({ channel, outcome }),
      stillWanted: (job) => pager?.stillWanted(job) ?? true,
    });
    const queue = outbox.deliveries;
    const webhooks = new WebhookSender({
      site: ctx.site,
      webhooks: config.webhooks,
      queue,
      clock: ctx.clock,
    });
    pager = new PersonalPager({ site: ctx.site, config, env: process.env, queue, clock: ctx.clock, log });
    const resumed = outbox.resumeDeliveries(new Map([...webhooks.endpoints, ...pager.endpoints]));
    if (resumed) log.info({ resumed }, 'deliveries resumed');
    new Gauge({
      name: 'weige_channel_mqtt_outbox_pending',
      help: 'Alerts and incident changes stored but not yet acknowledged by the MQTT broker',
      registers,
      collect() {
        this.set(outboxStore.pendingPublicationCount());
      },
    });
    this.outbox = outbox;
    this.runtime = { hub, webhooks, pager, queue, deliveries, ctx };
    // Wall time on purpose: this is about sockets, not about events.
    this.heartbeat = setInterval(() => hub.heartbeat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.unsubscribe = [
      // Alerting staged the row in its transaction (its outbox port); after the commit, send it.
      ctx.bus.on('alertRaised', (a) => {
        outbox.kick();
        hub.alert(a);
      }),
      ctx.bus.on('incidentChanged', (i) => {
        outbox.kick();
        hub.incident(i);
        webhooks.onIncidentChanged(i);
        pager?.onIncidentChanged(i);
      }),
      ctx.bus.on('deviceHealthChanged', (h) => hub.deviceHealth(h)),
      ctx.bus.on('siteModeChanged', (m) => hub.siteMode(m)),
    ];
    this.log = log;
  }

  /** What a previous run left unsent goes out once the broker is up. */
  resume(): void {
    const replayed = this.outbox?.resumePublications();
    if (replayed) this.log?.info({ replayed }, 'unsent MQTT alerts and incident changes replayed');
  }

  stop(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.outbox?.stop();
    this.outbox = null;
    this.runtime?.hub.closeAll();
    this.runtime = null;
  }
}

export const createChannelsModule = (): GatewayModule => new ChannelsModule();
