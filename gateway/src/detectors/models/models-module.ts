/**
 * The `models` stage: picks the TensorFlow.js backend, loads every model folder under models/,
 * watches them for new versions (hot swap) and runs the model detectors; api/routes/models.ts
 * serves `GET /api/models` and `POST /api/models/:name/reload` over its facade.
 */
import { Counter, Histogram } from 'prom-client';
import type { GatewayContext } from '../../context.ts';
import { Errors } from '../../core/errors.ts';
import { moduleLogger, type Logger } from '../../core/logger.ts';
import type { GatewayModule } from '../../module.ts';
import {
  DEFAULT_LOADERS,
  selectBackend,
  type BackendLoaders,
  type TfRuntime,
} from '../../../../models/lib/backend.ts';
import type { ModelsFacade } from './facade.ts';
import { FallingObjectDetector } from './falling-object-detector.ts';
import { FireFusionDetector } from './fire-fusion-detector.ts';
import { InactivityDetector } from './inactivity-detector.ts';
import { ModelRegistry } from './registry.ts';

export const MODEL_NAMES = ['falling-object', 'fire-fusion', 'elderly-inactivity'] as const;

export interface ModelsModuleOptions {
  /** models/ folder; the repository's by default. */
  root?: string;
  loaders?: BackendLoaders;
  /** Watch model folders for new versions (on by default). */
  watch?: boolean;
}

interface Detector {
  start(): void;
  stop(): void;
  drain(): Promise<void>;
}

export class ModelsModule implements GatewayModule {
  readonly name = 'models';
  runtime: TfRuntime | null = null;
  registry: ModelRegistry | null = null;
  private detectors: Detector[] = [];
  private unsubscribe: Array<() => void> = [];
  private bus: GatewayContext['bus'] | null = null;
  private log: Logger | null = null;

  constructor(private readonly options: ModelsModuleOptions = {}) {}

  async start(ctx: GatewayContext): Promise<void> {
    const log = (this.log = moduleLogger(ctx.log, 'models'));
    this.bus = ctx.bus;
    this.runtime = await selectBackend(log, this.options.loaders ?? DEFAULT_LOADERS);
    const registry = (this.registry = new ModelRegistry({
      tf: this.runtime.tf,
      log,
      ...(this.options.root ? { root: this.options.root } : {}),
    }));
    for (const name of MODEL_NAMES) {
      try {
        if (!(await registry.reload(name))) log.warn({ model: name }, 'no trained version; detector idle');
      } catch (err) {
        log.error({ err, model: name }, 'model failed to load; detector idle');
      }
    }
    if (this.options.watch !== false) registry.watch(MODEL_NAMES);
    const announce = (): void => ctx.bus.emit('modelsLoaded', { names: registry.list().map((m) => m.name) });
    for (const name of MODEL_NAMES) this.unsubscribe.push(registry.onSwap(name, announce));
    announce();
    const metrics = modelMetrics(ctx);
    const falling = new FallingObjectDetector({
      ctx,
      tf: this.runtime.tf,
      registry,
      log,
      onDecision: (_track, decision, _analysis, latencyMs) => {
        metrics.decisions.inc({
          model: 'falling-object',
          outcome: decision.alert ? 'alert' : decision.reason,
        });
        metrics.latency.observe({ model: 'falling-object' }, latencyMs / 1000);
      },
    });
    const fire = new FireFusionDetector({
      ctx,
      tf: this.runtime.tf,
      registry,
      log,
      onDecision: (decision, latencyMs) => {
        metrics.decisions.inc({ model: 'fire-fusion', outcome: decision?.kind ?? 'none' });
        metrics.latency.observe({ model: 'fire-fusion' }, latencyMs / 1000);
      },
    });
    const inactivity = new InactivityDetector({
      ctx,
      tf: this.runtime.tf,
      registry,
      log,
      onDecision: (alert) =>
        metrics.decisions.inc({ model: 'elderly-inactivity', outcome: alert?.kind ?? 'none' }),
    });
    this.detectors = [falling, fire, inactivity];
    for (const d of this.detectors) d.start();
  }

  async stop(): Promise<void> {
    for (const d of this.detectors) d.stop();
    this.detectors = [];
    for (const off of this.unsubscribe.splice(0)) off();
    // Stopped models run nothing: the rules standing in for them take over.
    this.bus?.emit('modelsLoaded', { names: [] });
    this.registry?.close();
    this.registry = null;
  }

  /** Resolves when every queued model job has run (tests and replays). */
  async drain(): Promise<void> {
    for (const d of this.detectors) await d.drain();
  }

  /** What the API may ask of this stage. */
  facade(): ModelsFacade {
    return {
      backend: () =>
        this.runtime ? { name: this.runtime.backend, fallbackReasons: this.runtime.fallbackReasons } : null,
      loaded: (name) => this.registry?.get(name) ?? null,
      reload: async (name) => {
        if (!this.registry) throw Errors.stageNotRunning('models are not running');
        try {
          await this.registry.reload(name);
        } catch (err) {
          this.log?.error({ err, model: name }, 'model reload failed; previous version kept');
          throw Errors.badRequest(`model ${name} failed to load: ${(err as Error).message}`);
        }
      },
    };
  }
}

function modelMetrics(ctx: GatewayContext) {
  const registry = ctx.metrics.registry;
  const existing = registry.getSingleMetric('weige_model_decisions_total') as
    Counter<'model' | 'outcome'> | undefined;
  return {
    decisions:
      existing ??
      new Counter({
        name: 'weige_model_decisions_total',
        help: 'Model decisions by model and outcome (alert, or why not)',
        labelNames: ['model', 'outcome'] as const,
        registers: [registry],
      }),
    latency:
      (registry.getSingleMetric('weige_model_latency_seconds') as Histogram | undefined) ??
      new Histogram({
        name: 'weige_model_latency_seconds',
        help: 'Time from a message on the bus to the model decision',
        labelNames: ['model'] as const,
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
        registers: [registry],
      }),
  };
}

export function createModelsModule(options: ModelsModuleOptions = {}): ModelsModule {
  return new ModelsModule(options);
}
