/** `GET /api/models` and `POST /api/models/:name/reload` over the models stage's facade. */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Errors } from '../../core/errors.ts';
import type { ModelsFacade } from '../../detectors/models/facade.ts';
import { MODEL_NAMES } from '../../detectors/models/models-module.ts';
import { StringEnum, type TypedApp } from '../schemas.ts';

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

function describe(models: ModelsFacade, name: string) {
  const m = models.loaded(name);
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
}

function listModels(app: TypedApp, models: ModelsFacade): void {
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
      const backend = models.backend();
      return {
        backend: backend?.name ?? null,
        fallbackReasons: backend?.fallbackReasons ?? [],
        models: MODEL_NAMES.map((name) => describe(models, name)).filter((m) => m !== null),
      };
    },
  );
}

function reloadModel(app: TypedApp, models: ModelsFacade): void {
  app.post(
    '/api/models/:name/reload',
    {
      config: { access: ['engineer'] },
      schema: {
        tags: ['models'],
        summary: 'Load the newest version folder of a model now (hot swap)',
        params: Type.Object({ name: StringEnum(MODEL_NAMES) }),
        response: { 200: modelSchema },
      },
    },
    async (request) => {
      request.requireRole('engineer');
      const { name } = request.params;
      await models.reload(name);
      const described = describe(models, name);
      if (!described) throw Errors.notFound(`no trained version of ${name}`);
      return described;
    },
  );
}

export function modelRoutes(models: ModelsFacade): FastifyPluginAsyncTypebox {
  return async (app) => {
    listModels(app, models);
    reloadModel(app, models);
  };
}
