/**
 * Builds a whole gateway from settings: stores, site, transport, ingest, health, stage modules
 * and the HTTP API, started in pipeline order and stopped in reverse (z2m lib/controller.ts).
 * `Gateway.open()` does the I/O of building (settings, site, database); the constructor only
 * assigns. Tests and benchmarks build gateways in-process through this; main.ts adds signals and logs.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApi } from './api/app.ts';
import { facadesOf } from './api/stages.ts';
import { PublicationOutbox } from './channels/outbox.ts';
import { OutboxStore } from './channels/outbox-store.ts';
import { MqttPublisher } from './channels/mqtt-publisher.ts';
import { readSettings, type Settings } from './config/settings.ts';
import { ensureSecrets, secretsPath, type GeneratedHashes } from './config/generated-secrets.ts';
import { SiteIndex } from './site/site-index.ts';
import { loadSiteFile } from './site/site-loader.ts';
import { CodecRegistry } from './codecs/registry.ts';
import type { GatewayContext, Stores } from './context.ts';
import { EventBus } from './core/bus.ts';
import { SystemClock, type Clock, type TimerHandle } from './core/clock.ts';
import { GuardedClock } from './core/guarded-clock.ts';
import { createRootLogger, moduleLogger, resolveLogFormat, type Logger } from './core/logger.ts';
import { createMetrics } from './core/metrics.ts';
import { PasswordChecker } from './core/passwords.ts';
import { HealthMonitor } from './devices/health-monitor.ts';
import { IngestPipeline } from './ingest/pipeline.ts';
import { createTransport } from './create-transport.ts';
import { PrivacyCore } from './privacy/core.ts';
import type { GatewayModule, ModuleFactory } from './module.ts';
import { MODULES } from './modules.ts';
import { MetaStore, openDatabase, probeWrite, writeTransaction } from './store/database.ts';
import { DeadLetterStore } from './store/dead-letter-store.ts';
import { DeviceStore } from './store/device-store.ts';
import { EventStore } from './store/event-store.ts';
import { InfluxWriter } from './store/influx-writer.ts';
import { SqliteReadingStore } from './store/reading-store.ts';
import { StoreHealth } from './store/store-health.ts';
import type { GatewayHealth, HealthProblem } from './contracts/health.ts';

const RETENTION_CHECK_MS = 3600_000;
const MIB = 1024 * 1024;

export interface GatewayOptions {
  settings?: Partial<Settings>;
  env?: NodeJS.ProcessEnv;
  /** The site's event-time clock: every timer that decides an alert runs on it. */
  clock?: Clock;
  /**
   * Wall time for housekeeping that decides no alert (disk sampling, saving device health,
   * InfluxDB flushes); `clock` when not given. A replay gives its event-time clock as `clock`
   * and keeps these on the wall, so a fast month does not sample the disk 2.6 million times.
   */
  housekeepingClock?: Clock;
  logger?: Logger;
  /** Stage modules; defaults to MODULES. */
  modules?: ModuleFactory[];
}

interface GatewayParts {
  ctx: GatewayContext;
  ingest: IngestPipeline;
  storeHealth: StoreHealth;
  influx: InfluxWriter | null;
  moduleFactories: ModuleFactory[];
}

export class Gateway {
  readonly ctx: GatewayContext;
  readonly ingest: IngestPipeline;
  readonly storeHealth: StoreHealth;
  private readonly influx: InfluxWriter | null;
  private readonly moduleFactories: ModuleFactory[];
  private modules: GatewayModule[] = [];
  private app: FastifyInstance | null = null;
  private retentionTimer: TimerHandle | null = null;
  private ready = false;

  /** The parts, built by `open`; a constructor only assigns. */
  private constructor(parts: GatewayParts) {
    this.ctx = parts.ctx;
    this.ingest = parts.ingest;
    this.storeHealth = parts.storeHealth;
    this.influx = parts.influx;
    this.moduleFactories = parts.moduleFactories;
  }

  /**
   * Reads the settings and the site file, opens the database (migrations), writes generated MQTT
   * secrets when the site asks for them, and builds the parts. `start()` starts them.
   */
  static async open(options: GatewayOptions = {}): Promise<Gateway> {
    // Callbacks that run only once started (failed timers, denied publishes) reach the gateway here.
    let gateway: Gateway | null = null;
    const backgroundFailed = (err: unknown): void => gateway!.backgroundFailed(err);
    const settings = readSettings(options.env ?? process.env, options.settings);
    const log = options.logger ?? createRootLogger(settings.logLevel, resolveLogFormat(settings.logFormat));
    // Every module's timers run on this clock: a store failure in one is reported, never fatal.
    const clock = new GuardedClock(options.clock ?? new SystemClock(), backgroundFailed);
    const housekeeping = options.housekeepingClock
      ? new GuardedClock(options.housekeepingClock, backgroundFailed)
      : clock;
    const site = new SiteIndex(loadSiteFile(settings.siteFile));
    const dataDir = path.resolve(settings.dataDir);
    const stores = openStores(dataDir);
    const db = stores.db;
    for (const d of stores.devices.registered(site.siteId)) site.addDevice(d);
    const bus = new EventBus(moduleLogger(log, 'bus'));
    const metrics = createMetrics();
    const storeHealth = new StoreHealth({
      dataDir,
      minFreeBytes: settings.minFreeMb * MIB,
      clock: housekeeping,
      metrics,
      log: moduleLogger(log, 'store'),
      probe: () => probeWrite(db),
    });
    const codecs = new CodecRegistry();
    const passwords = new PasswordChecker(settings.passwordCheckConcurrency);
    const generated = generatedSecrets(settings, site, log);
    const transport = createTransport(
      settings,
      { site, codecs, clock, metrics, passwords, generated: generated?.hashes ?? null },
      moduleLogger(log, 'transport'),
      { onPublishDenied: (msg, deviceId, reason) => gateway!.ingest.recordDenied(msg, deviceId, reason) },
    );
    const health = new HealthMonitor({
      site,
      store: stores.devices,
      bus,
      clock,
      housekeepingClock: housekeeping,
      metrics,
    });
    const privacy = new PrivacyCore(db, site);
    const ctx: GatewayContext = {
      settings,
      site,
      bus,
      clock,
      metrics,
      log,
      stores,
      codecs,
      health,
      transport,
      mqtt: new MqttPublisher(transport),
      outbox: new PublicationOutbox(new OutboxStore(db), clock, bus),
      passwords,
      privacy,
    };
    const ingest = buildIngest(ctx, storeHealth);
    const influx = settings.influxUrl
      ? new InfluxWriter(settings.influxUrl, {
          readings: stores.readings,
          meta: stores.meta,
          metrics,
          clock: housekeeping,
          log: moduleLogger(log, 'influx'),
        })
      : null;
    gateway = new Gateway({
      ctx,
      ingest,
      storeHealth,
      influx,
      moduleFactories: options.modules ?? MODULES,
    });
    return gateway;
  }

  async start(): Promise<void> {
    const { ctx } = this;
    const log = moduleLogger(ctx.log, 'gateway');
    // The HTTP server comes up first (answering 503 on /healthz) because MQTT over WebSocket rides on it.
    for (const factory of this.moduleFactories) this.modules.push(await factory(ctx, this.modules));
    await this.storeHealth.start();
    this.app = await createApi(ctx, {
      ready: () => this.ready,
      health: () => this.health(),
      stages: facadesOf(this.modules),
    });
    await this.app.listen({ host: ctx.settings.httpHost, port: ctx.settings.httpPort });
    ctx.health.start();
    // Stages and ingest subscribe before the transport starts, so nothing a device sends (or an
    // external broker replays from a persistent session) arrives before someone listens for it.
    for (const m of this.modules) {
      await m.start(ctx);
      log.info({ module: m.name }, 'module started');
    }
    for (const m of this.modules) await m.ready?.();
    await this.ingest.start(ctx.transport);
    await ctx.transport.start();
    for (const m of this.modules) m.resume?.();
    this.influx?.start();
    this.retentionTimer = ctx.clock.setInterval(RETENTION_CHECK_MS, () => this.applyRetention());
    try {
      this.applyRetention();
    } catch (err) {
      this.backgroundFailed(err);
    }
    this.ready = true;
    log.info(
      {
        httpPort: this.httpPort,
        ...ctx.transport.describe(),
        site: ctx.site.siteId,
        dataDir: ctx.settings.dataDir,
        influx: Boolean(this.influx),
      },
      'gateway started',
    );
  }

  /**
   * Stops in pipeline order: the transport (nothing more comes in), ingest (what it took is
   * committed and announced), the stages in reverse (detectors evaluate what ingest committed
   * before alerting and channels stop), the HTTP API, then the store.
   */
  async stop(): Promise<void> {
    this.ready = false;
    this.retentionTimer?.cancel();
    await this.ctx.transport.stop();
    await this.ingest.stop();
    // A module's last save may fail on a full disk: the others still stop, and the state it
    // could not save is what a crash would have lost.
    for (const m of [...this.modules].reverse()) {
      try {
        await m.stop();
      } catch (err) {
        this.backgroundFailed(err);
      }
    }
    this.modules = [];
    await this.app?.close();
    await this.influx?.stop();
    try {
      this.ctx.health.stop();
    } catch (err) {
      this.backgroundFailed(err);
    }
    this.storeHealth.stop();
    await this.ctx.passwords.close();
    this.ctx.stores.db.close();
  }

  /** Resolves when every stage has finished the work queued so far (rules, model inference: replays, tests). */
  async settle(): Promise<void> {
    for (const m of this.modules) await m.drain?.();
  }

  /** What keeps the gateway from doing all its work right now (GET /healthz). */
  health(): GatewayHealth {
    const store = this.storeHealth.status();
    const problems: HealthProblem[] = [];
    if (!store.writable)
      problems.push({ component: 'store', reason: store.problem!, detail: store.detail, since: store.since });
    const influx = this.influx?.problem();
    if (influx)
      problems.push({
        component: 'influx',
        reason: 'unreachable',
        detail: influx.error,
        since: influx.since,
      });
    return {
      problems,
      store: { writable: store.writable, freeBytes: store.freeBytes, minFreeBytes: store.minFreeBytes },
    };
  }

  /** A timer or background job threw: a store failure degrades the store, anything else is logged. */
  private backgroundFailed(err: unknown): void {
    if (!this.storeHealth.reportFailure(err, 'background job'))
      moduleLogger(this.ctx.log, 'gateway').error({ err }, 'background job failed');
  }

  get httpPort(): number {
    return (this.app?.server.address() as AddressInfo | null)?.port ?? 0;
  }

  get mqttPort(): number {
    return Number(this.ctx.transport.describe().mqttPort ?? 0);
  }

  get influxWriter(): InfluxWriter | null {
    return this.influx;
  }

  private applyRetention(): void {
    const cutoff = this.ctx.clock.now() - this.ctx.settings.retentionDays * 86400_000;
    // The readings table is also InfluxDB's spool: a long outage must not prune what was never sent.
    const removed =
      this.ctx.stores.readings.pruneBefore(cutoff, this.influx?.sentThrough()) +
      this.ctx.stores.events.pruneBefore(cutoff);
    if (removed)
      moduleLogger(this.ctx.log, 'store').info(
        { removed, before: new Date(cutoff).toISOString() },
        'retention applied',
      );
  }
}

/** The site's generated MQTT secrets (written on first start), when it asks for them. */
function generatedSecrets(
  settings: Settings,
  site: SiteIndex,
  log: Logger,
): { hashes: GeneratedHashes } | null {
  if (!site.site.mqtt.generatedSecrets) return null;
  const generated = ensureSecrets(settings.dataDir, site.site);
  if (generated.added)
    moduleLogger(log, 'config').info(
      { file: secretsPath(settings.dataDir), added: generated.added },
      'generated MQTT secrets for devices and accounts',
    );
  return generated;
}

function openStores(dataDir: string): Stores {
  const db = openDatabase(dataDir);
  return {
    db,
    meta: new MetaStore(db),
    readings: new SqliteReadingStore(db),
    events: new EventStore(db),
    deadLetters: new DeadLetterStore(db),
    devices: new DeviceStore(db),
  };
}

function buildIngest(ctx: GatewayContext, storeHealth: StoreHealth): IngestPipeline {
  const { settings, stores } = ctx;
  return new IngestPipeline({
    site: ctx.site,
    codecs: ctx.codecs,
    readings: stores.readings,
    events: stores.events,
    deadLetters: stores.deadLetters,
    bus: ctx.bus,
    metrics: ctx.metrics,
    clock: ctx.clock,
    activity: ctx.health,
    limits: {
      ...settings,
      deviceMaxBytesPerS: settings.deviceMaxKbPerS * 1024,
      deviceDailyQuotaBytes: settings.deviceDailyQuotaMb * MIB,
    },
    store: storeHealth,
    log: moduleLogger(ctx.log, 'ingest'),
    inTransaction: (fn) => writeTransaction(stores.db, fn),
  });
}
