/**
 * The rules stage: loads rule packs (rules/packs and WEIGE_RULES_DIR), hot-reloads them, rebuilds
 * sample windows from stored history, evaluates what ingest committed (the feed, off the
 * acknowledgement path) and puts its detections on the bus (`detectionRaised`). Also runs the
 * Node-RED bridge; api/routes/rules.ts serves /api/rules.
 */
import path from 'node:path';
import { Counter, Gauge } from 'prom-client';
import { REPO_ROOT } from '../../config/settings.ts';
import type { GatewayContext } from '../../context.ts';
import type { EventBus } from '../../core/bus.ts';
import type { Clock } from '../../core/clock.ts';
import { moduleLogger } from '../../core/logger.ts';
import type { EventStore } from '../../store/event-store.ts';
import type { SqliteReadingStore } from '../../store/reading-store.ts';
import type { GatewayModule } from '../../module.ts';
import { RuleEngine } from './engine.ts';
import type { RulesFacade } from './facade.ts';
import { FlowBridge } from './flow-bridge.ts';
import { fromEvent, fromHealth, fromReading } from './observations.ts';
import { RuleFeed, type FeedCursor, type ObservationLog } from './rule-feed.ts';
import { RuleRegistry } from './rule-registry.ts';
import { SqliteRuleStateStore } from './state-store.ts';

/** Prometheus metrics of the rules stage, on the gateway's registry (created once per registry). */
function ruleMetrics(ctx: GatewayContext) {
  const registers = [ctx.metrics.registry];
  // A module restarted on the same registry (tests) replaces its metrics rather than clash.
  for (const name of ['weige_rule_detections_total', 'weige_rules_loaded', 'weige_rule_load_problems'])
    if (ctx.metrics.registry.getSingleMetric(name)) ctx.metrics.registry.removeSingleMetric(name);
  return {
    detections: new Counter({
      name: 'weige_rule_detections_total',
      help: 'Detections raised by rules, by rule and type (fire, clear, fallback_silent)',
      labelNames: ['rule', 'type'] as const,
      registers,
    }),
    loaded: new Gauge({ name: 'weige_rules_loaded', help: 'Rules loaded and running', registers }),
    problems: new Gauge({
      name: 'weige_rule_load_problems',
      help: 'Problems in rule files (GET /api/rules lists them)',
      registers,
    }),
  };
}

/**
 * Subscribes the engine to the bus: what ingest committed wakes the feed (which reads it from the
 * store); health changes, stored nowhere, go straight in. Returns the unsubscribers.
 */
export function feedEngine(
  bus: EventBus,
  engine: RuleEngine,
  feed: RuleFeed,
  clock: Clock,
): Array<() => void> {
  return [
    bus.on('readingAccepted', () => feed.wake()),
    bus.on('deviceEventAccepted', () => feed.wake()),
    // Health changes carry no event time of their own: they happen now, on the gateway clock.
    bus.on('deviceHealthChanged', (h) => engine.ingest(fromHealth(h, clock.now()))),
  ];
}

/** The reading and event stores as the feed reads them. */
export function observationLog(readings: SqliteReadingStore, events: EventStore): ObservationLog {
  return {
    readSince: (afterSeq, limit) => readings.readSince(afterSeq, limit),
    eventsSince: (afterId, limit) => events.eventsSince(afterId, limit),
    lastSeq: () => readings.lastSeq(),
    lastEventId: () => events.lastEventId(),
  };
}

export const PACKS_DIR = path.join(REPO_ROOT, 'rules/packs');
/** Stored history older than a device's needs (plus this) is not reloaded at start. */
const PRELOAD_SLACK_MS = 6 * 3_600_000;

export class RulesModule implements GatewayModule {
  readonly name = 'rules';
  engine: RuleEngine | null = null;
  registry: RuleRegistry | null = null;
  private bridge: FlowBridge | null = null;
  private feed: RuleFeed | null = null;
  private unsubscribe: Array<() => void> = [];
  private loadedModels = new Set<string>();

  constructor(private readonly options: { watch?: boolean; packsDir?: string } = {}) {}

  /** What the API may ask of this stage. */
  facade(): RulesFacade {
    return {
      snapshot: () => this.registry?.snapshot() ?? null,
      instanceCounts: () => this.engine?.instanceCounts() ?? new Map(),
      standsDown: (ruleId) => this.standsDown(ruleId),
    };
  }

  async start(ctx: GatewayContext): Promise<void> {
    const log = moduleLogger(ctx.log, 'rules');
    const metrics = ruleMetrics(ctx);
    const state = new SqliteRuleStateStore(ctx.stores.db, ctx.site.siteId);
    const engine = new RuleEngine({
      site: ctx.site,
      clock: ctx.clock,
      emit: (d) => {
        // One decision per danger: a fallback rule keeps its state but stays silent (its clears
        // too, which would otherwise clear the model's incident) while its model is loaded.
        if (this.standsDown(d.source.rule)) {
          metrics.detections.inc({ rule: d.source.rule ?? '', type: 'fallback_silent' });
          return;
        }
        metrics.detections.inc({ rule: d.source.rule ?? '', type: d.cleared ? 'clear' : 'fire' });
        ctx.bus.emit('detectionRaised', d);
      },
      persistence: state,
      log,
    });
    this.engine = engine;
    const feed = (this.feed = new RuleFeed({
      log: observationLog(ctx.stores.readings, ctx.stores.events),
      cursors: state,
      evaluate: (o) => engine.ingest(o),
      saveState: () => engine.flush(),
      logger: log,
    }));
    const dirs = [
      this.options.packsDir ?? PACKS_DIR,
      ...(ctx.settings.rulesDir ? [path.resolve(ctx.settings.rulesDir)] : []),
    ];
    this.registry = new RuleRegistry(dirs, log, (snapshot) => {
      engine.setRules(snapshot.rules);
      metrics.loaded.set(snapshot.rules.length);
      metrics.problems.set(snapshot.problems.length);
      ctx.bus.emit('alertKindsDeclared', {
        source: 'rules',
        kinds: [...new Set(snapshot.rules.map((r) => r.kind))],
      });
    });
    this.registry.load();
    this.preload(ctx, feed.open());
    engine.start();
    this.unsubscribe.push(...feedEngine(ctx.bus, engine, feed, ctx.clock));
    feed.start();
    // Rules start before models, so no announcement is missed.
    this.unsubscribe.push(
      ctx.bus.on('modelsLoaded', ({ names }) => {
        this.loadedModels = new Set(names);
        // Only what stands down now: the models stage announces no models when it stops.
        const rules = engine.loadedRules().filter((r) => this.standsDown(r.id));
        if (rules.length)
          log.info(
            { rules: rules.map((r) => r.id), models: [...new Set(rules.map((r) => r.fallbackFor))] },
            'fallback rules stand down while their models run',
          );
      }),
    );
    if (this.options.watch !== false) this.registry.watch();
    this.bridge = new FlowBridge(ctx, ctx.mqtt);
    await this.bridge.start();
  }

  /** True when the rule is the fallback of a model that is loaded now. */
  standsDown(ruleId: string | null | undefined): boolean {
    const fallbackFor = ruleId ? this.engine?.rule(ruleId)?.fallbackFor : null;
    return !!fallbackFor && this.loadedModels.has(fallbackFor);
  }

  /** Resolves when everything ingest committed so far has been evaluated (replays, tests). */
  async drain(): Promise<void> {
    await this.feed?.drain();
  }

  stop(): void {
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    this.registry?.close();
    this.bridge?.stop();
    this.feed?.stop();
    this.feed = null;
    this.engine?.stop();
  }

  /**
   * Rebuilds the windows every rule needs from what the feed has evaluated; what was stored after
   * `through` (a crash before its evaluation) the feed evaluates next.
   */
  private preload(ctx: GatewayContext, through: FeedCursor): void {
    const engine = this.engine!;
    const siteId = ctx.site.siteId;
    let samples = 0;
    for (const device of ctx.site.allDevices()) {
      const horizon = engine.horizonFor(device);
      if (horizon < 0) continue;
      const newest = ctx.stores.readings.query({
        siteId,
        deviceId: device.id,
        order: 'desc',
        limit: 1,
        throughSeq: through.readingSeq,
      })[0];
      if (newest) {
        const readings = ctx.stores.readings.query({
          siteId,
          deviceId: device.id,
          from: newest.ts - horizon - PRELOAD_SLACK_MS,
          to: newest.ts,
          throughSeq: through.readingSeq,
        });
        for (const r of readings) engine.preload(fromReading(r));
        samples += readings.length;
      }
      if (device.kind === 'camera') {
        const now = ctx.clock.now();
        const events = ctx.stores.events.queryEvents(
          siteId,
          device.id,
          now - horizon - PRELOAD_SLACK_MS,
          now,
          undefined,
          through.eventId,
        );
        for (const e of events) engine.preload(fromEvent(e));
        samples += events.length;
      }
    }
    moduleLogger(ctx.log, 'rules').info({ samples }, 'rule windows rebuilt from stored history');
  }
}
