/**
 * The rules stage: loads rule packs (rules/packs and WEIGE_RULES_DIR), hot-reloads them, and has
 * the engine evaluate what ingest committed (the feed) and puts its detections on the bus
 * (`detectionRaised`). Also runs the Node-RED bridge; api/routes/rules.ts serves /api/rules.
 *
 * Where the engine runs: live, in the rules worker (worker-host.ts), a thread of its own, so a slow
 * rule costs CPU but never holds up the event loop that sends PUBACKs. On a ManualClock (replays,
 * backfill, tests that drive time) in this thread: the backfill evaluates inside its own open
 * store transaction, which the worker's connection cannot see, and the clock fires `for:` ticks
 * between messages, so replay = live holds exactly. The registry, the rule metrics, fallback
 * stand-down and the flow bridge stay in this thread either way.
 */
import path from 'node:path';
import { Counter, Gauge } from 'prom-client';
import { REPO_ROOT } from '../../config/settings.ts';
import type { GatewayContext } from '../../context.ts';
import type { Detection } from '../../contracts/alerts.ts';
import { moduleLogger, type Logger } from '../../core/logger.ts';
import type { GatewayModule } from '../../module.ts';
import type { RulesFacade } from './facade.ts';
import { FlowBridge } from './flow-bridge.ts';
import { InProcessHost, type RuleHost } from './rule-host.ts';
import { RuleRegistry } from './rule-registry.ts';
import type { CompiledRule } from './types.ts';
import { WorkerHost } from './worker-host.ts';

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

export const PACKS_DIR = path.join(REPO_ROOT, 'rules/packs');

/** `worker`: a thread of its own (live); `in-process`: the gateway's thread (replays). */
export type RulePlacement = 'worker' | 'in-process';

export class RulesModule implements GatewayModule {
  readonly name = 'rules';
  registry: RuleRegistry | null = null;
  /** Where the engine runs, once started. */
  host: RuleHost | null = null;
  private bridge: FlowBridge | null = null;
  private unsubscribe: Array<() => void> = [];
  private loadedModels = new Set<string>();
  private fallbackOf = new Map<string, string>();
  private hostStarted: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: { watch?: boolean; packsDir?: string; placement?: RulePlacement } = {},
  ) {}

  /** What the API may ask of this stage. */
  facade(): RulesFacade {
    return {
      snapshot: () => this.registry?.snapshot() ?? null,
      instanceCounts: () => this.host?.instanceCounts() ?? Promise.resolve(new Map()),
      standsDown: (ruleId) => this.standsDown(ruleId),
    };
  }

  async start(ctx: GatewayContext): Promise<void> {
    const log = moduleLogger(ctx.log, 'rules');
    const metrics = ruleMetrics(ctx);
    const raise = (d: Detection): void => {
      // One decision per danger: a fallback rule keeps its state but stays silent (its clears
      // too, which would otherwise clear the model's incident) while its model is loaded.
      if (this.standsDown(d.source.rule)) {
        metrics.detections.inc({ rule: d.source.rule ?? '', type: 'fallback_silent' });
        return;
      }
      metrics.detections.inc({ rule: d.source.rule ?? '', type: d.cleared ? 'clear' : 'fire' });
      ctx.bus.emit('detectionRaised', d);
    };
    const host = (this.host = this.hostFor(ctx, raise, log));
    const dirs = [
      this.options.packsDir ?? PACKS_DIR,
      ...(ctx.settings.rulesDir ? [path.resolve(ctx.settings.rulesDir)] : []),
    ];
    this.registry = new RuleRegistry(dirs, log, (snapshot) => {
      const running = snapshot.rules.filter((r) => r.enabled);
      this.fallbackOf = new Map(running.flatMap((r) => (r.fallbackFor ? [[r.id, r.fallbackFor]] : [])));
      host.setRules(snapshot.rules);
      metrics.loaded.set(snapshot.rules.length);
      metrics.problems.set(snapshot.problems.length);
      ctx.bus.emit('alertKindsDeclared', {
        source: 'rules',
        kinds: [...new Set(snapshot.rules.map((r) => r.kind))],
      });
    });
    // The rules worker boots (its own module graph, then the rule windows) on another core while
    // the next modules start; messages posted to it meanwhile wait in its port.
    this.hostStarted = host.start(this.registry.load().rules);
    this.hostStarted.catch(() => undefined); // awaited in ready(); not an unhandled rejection meanwhile
    this.unsubscribe.push(
      ctx.bus.on('readingAccepted', () => host.wake()),
      ctx.bus.on('deviceEventAccepted', () => host.wake()),
      ctx.bus.on('deviceHealthChanged', (h) => host.health(h)),
      // Rules start before models, so no announcement is missed.
      ctx.bus.on('modelsLoaded', ({ names }) => this.modelsLoaded(names, log)),
    );
    if (this.options.watch !== false) this.registry.watch();
    this.bridge = new FlowBridge(ctx, ctx.mqtt);
    await this.bridge.start();
  }

  /** Resolves when the engine has its rules and their windows; rejects if its worker cannot start. */
  ready(): Promise<void> {
    return this.hostStarted;
  }

  /** True when the rule is the fallback of a model that is loaded now. */
  standsDown(ruleId: string | null | undefined): boolean {
    const fallbackFor = ruleId ? this.fallbackOf.get(ruleId) : undefined;
    return !!fallbackFor && this.loadedModels.has(fallbackFor);
  }

  /** Resolves when everything ingest committed so far has been evaluated (replays, tests). */
  async drain(): Promise<void> {
    await this.host?.drain();
  }

  async stop(): Promise<void> {
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    this.registry?.close();
    this.bridge?.stop();
    const host = this.host;
    this.host = null;
    await host?.stop();
  }

  private hostFor(ctx: GatewayContext, raise: (d: Detection) => void, log: Logger): RuleHost {
    const placement = this.options.placement ?? (ctx.clock.driven ? 'in-process' : 'worker');
    const { site, clock, stores } = ctx;
    if (placement === 'worker')
      return new WorkerHost({ dbFile: stores.db.name, site, clock, log, onDetection: raise });
    return new InProcessHost({ ...stores, site, clock, log, emit: raise });
  }

  private modelsLoaded(names: string[], log: Logger): void {
    this.loadedModels = new Set(names);
    // Only what stands down now: the models stage announces no models when it stops.
    const rules: CompiledRule[] = (this.registry?.snapshot().rules ?? []).filter(
      (r) => r.enabled && this.standsDown(r.id),
    );
    if (rules.length)
      log.info(
        { rules: rules.map((r) => r.id), models: [...new Set(rules.map((r) => r.fallbackFor))] },
        'fallback rules stand down while their models run',
      );
  }
}
