/**
 * The `models` stage: picks the TensorFlow.js backend, loads every model folder under models/,
 * watches them for new versions (hot swap), runs the model detectors, and serves
 * `GET /api/models` and `POST /api/models/:name/reload`.
 */
import { Counter, Histogram } from 'prom-client';
import type { GatewayContext } from '../../context.ts';
import { Errors } from '../../core/errors.ts';
import { moduleLogger, type Logger } from '../../core/logger.ts';
import type { GatewayModule } from '../../module.ts';
import type { ApiExtension } from '../../api/app.ts';
import { DEFAULT_LOADERS, selectBackend, type BackendLoaders, type TfRuntime } from './backend.ts';
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

  readonly api: ApiExtension = async (app) => {
    const modelSchema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        version: { type: 'integer' },
        id: { type: 'string' },
        loadedAt: { type: 'string' },
        classes: { type: 'array', items: { type: 'string' } },
        features: { type: 'array', items: { type: 'string' } },
        thresholds: { type: 'object', additionalProperties: { type: 'number' } },
        training: { type: 'object', additionalProperties: true },
        heldOut: { type: ['object', 'null'], additionalProperties: true },
      },
    } as const;
    const describe = (name: string) => {
      const m = this.registry?.get(name);
      if (!m) return null;
      return {
        name: m.name,
        version: m.version,
        id: m.id,
        loadedAt: new Date(m.loadedAt).toISOString(),
        classes: m.meta.classes,
        features: m.meta.features.names,
        thresholds: m.meta.thresholds,
        training: m.meta.training,
        heldOut: m.meta.heldOut,
      };
    };
    app.get(
      '/api/models',
      {
        config: { access: ['engineer'] },
        schema: {
          tags: ['models'],
          summary: 'TensorFlow.js backend and the model versions running',
          response: {
            200: {
              type: 'object',
              properties: {
                backend: { type: ['string', 'null'] },
                fallbackReasons: { type: 'array', items: { type: 'string' } },
                models: { type: 'array', items: modelSchema },
              },
            },
          },
        },
      },
      async (request) => {
        request.requireUser();
        return {
          backend: this.runtime?.backend ?? null,
          fallbackReasons: this.runtime?.fallbackReasons ?? [],
          models: MODEL_NAMES.map(describe).filter((m) => m !== null),
        };
      },
    );
    app.post<{ Params: { name: string } }>(
      '/api/models/:name/reload',
      {
        config: { access: ['engineer'] },
        schema: {
          tags: ['models'],
          summary: 'Load the newest version folder of a model now (hot swap)',
          params: {
            type: 'object',
            properties: { name: { type: 'string', enum: [...MODEL_NAMES] } },
            required: ['name'],
          },
          response: { 200: modelSchema },
        },
      },
      async (request) => {
        request.requireRole('engineer');
        if (!this.registry) throw Errors.transportFailed('models are not running');
        try {
          await this.registry.reload(request.params.name);
        } catch (err) {
          this.log?.error({ err, model: request.params.name }, 'model reload failed; previous version kept');
          throw Errors.badRequest(`model ${request.params.name} failed to load: ${(err as Error).message}`);
        }
        const described = describe(request.params.name);
        if (!described) throw Errors.notFound(`no trained version of ${request.params.name}`);
        return described;
      },
    );
  };
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
