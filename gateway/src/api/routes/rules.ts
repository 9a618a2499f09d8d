/**
 * /api/rules: what is loaded (and what failed, with file:line:col), run a rule over a fixture,
 * and backtest a rule over stored history.
 */
import path from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { GatewayContext } from '../../context.ts';
import { Errors } from '../../core/errors.ts';
import { backtest } from '../../detectors/rules/backtest.ts';
import type { RulesFacade } from '../../detectors/rules/facade.ts';
import { describeDetection, parseJsonl, replay, type FixtureItem } from '../../detectors/rules/fixture.ts';
import { parseRule } from '../../detectors/rules/rule-loader.ts';
import { formatRuleProblem, type CompiledRule } from '../../detectors/rules/types.ts';
import { parseTimeParam } from '../schemas.ts';

const problemSchema = {
  type: 'object',
  properties: {
    file: { type: 'string' },
    line: { type: 'integer' },
    col: { type: 'integer' },
    path: { type: 'string' },
    message: { type: 'string' },
    text: { type: 'string' },
  },
} as const;

const detectionSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    kind: { type: 'string' },
    severity: { type: 'string' },
    eventTs: { type: 'string' },
    cleared: { type: 'boolean' },
    dedupeKey: { type: 'string' },
    source: { type: 'object', additionalProperties: true },
    location: { type: 'object', additionalProperties: true },
    title: { type: 'object', additionalProperties: { type: 'string' } },
    message: { type: 'object', additionalProperties: { type: 'string' } },
    evidence: { type: 'object', additionalProperties: true },
    line: { type: 'string' },
  },
} as const;

const runResultSchema = {
  type: 'object',
  properties: {
    rules: { type: 'array', items: { type: 'string' } },
    items: { type: 'integer' },
    evaluations: { type: 'integer' },
    detections: { type: 'array', items: detectionSchema },
    skipped: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, reason: { type: 'string' } } },
    },
  },
} as const;

const ruleSource = {
  rule: { type: 'string', maxLength: 100_000, description: 'a rule file (YAML text) to try' },
  ruleId: { type: 'string', maxLength: 64, description: 'or the id of a loaded rule' },
} as const;

/** The rule to run: from YAML in the body (strictly checked) or a loaded one by id. */
function pickRules(stage: RulesFacade, body: { rule?: string; ruleId?: string }): CompiledRule[] {
  if (body.rule !== undefined) {
    const parsed = parseRule(body.rule, '<request>');
    if (!parsed.rule)
      throw Errors.badRequest(
        `rule does not load:\n  ${parsed.problems.map(formatRuleProblem).join('\n  ')}`,
        {
          problems: parsed.problems,
        },
      );
    return [parsed.rule];
  }
  const rules = stage.snapshot()?.rules ?? [];
  if (body.ruleId === undefined) throw Errors.badRequest('give either rule (YAML text) or ruleId');
  const rule = rules.find((r) => r.id === body.ruleId);
  if (!rule) throw Errors.notFound(`no loaded rule '${body.ruleId}'`);
  return [rule];
}

const present = (r: ReturnType<typeof replay>, rules: CompiledRule[], items: number) => ({
  rules: rules.map((x) => x.id),
  items,
  evaluations: r.evaluations,
  detections: r.detections.map((d) => ({
    ...d,
    eventTs: new Date(d.eventTs).toISOString(),
    line: describeDetection(d),
  })),
  skipped: r.skipped,
});

const rulesResponse = {
  200: {
    type: 'object',
    properties: {
      loadedAt: { type: 'string' },
      dirs: { type: 'array', items: { type: 'string' } },
      rules: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            file: { type: 'string' },
            hash: { type: 'string' },
            kind: { type: 'string' },
            severity: { type: 'string' },
            enabled: { type: 'boolean' },
            stale: {
              type: 'boolean',
              description: 'its file is broken; the last good version runs',
            },
            description: {
              type: ['object', 'null'],
              description: 'what the rule means, {zh-CN, en}',
              properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } },
            },
            autoResolve: { type: 'boolean' },
            fallbackFor: {
              type: ['string', 'null'],
              description: 'the model this rule stands in for',
            },
            standingDown: {
              type: 'boolean',
              description: 'its model is loaded: the rule raises nothing',
            },
            pending: { type: 'integer', description: 'instances waiting out `for:`' },
            firing: { type: 'integer', description: 'instances firing (or clearing) now' },
            definition: { type: 'object', additionalProperties: true },
          },
        },
      },
      problems: { type: 'array', items: problemSchema },
    },
  },
} as const;

function listRules(app: FastifyInstance, { stage }: RulesDeps): void {
  app.get(
    '/api/rules',
    {
      config: { access: ['engineer', 'property_manager', 'micro_grid_leader'] },
      schema: {
        tags: ['rules'],
        summary: 'Loaded rules, and the rule files that failed to load with file:line:col',
        response: rulesResponse,
      },
    },
    async (request) => {
      const user = request.requireUser();
      // Server paths are for engineers; managers (who read rule kinds for silences) get file names.
      const showPaths = user.roles.includes('engineer') || user.roles.includes('admin');
      const shown = (file: string): string => (showPaths ? file : path.basename(file));
      const host = stage;
      const snap = host.snapshot();
      if (!snap) throw Errors.stageNotRunning('rules are not loaded yet');
      const counts = await host.instanceCounts();
      return {
        loadedAt: new Date(snap.loadedAt).toISOString(),
        dirs: showPaths ? snap.dirs : [],
        rules: snap.rules.map((r) => ({
          id: r.id,
          file: shown(r.file),
          hash: r.hash,
          kind: r.kind,
          severity: r.severity,
          enabled: r.enabled,
          stale: snap.stale.has(r.id),
          description: r.description,
          autoResolve: r.autoResolve,
          fallbackFor: r.fallbackFor,
          standingDown: host.standsDown(r.id),
          pending: counts.get(r.id)?.pending ?? 0,
          firing: counts.get(r.id)?.firing ?? 0,
          definition: r.definition,
        })),
        problems: snap.problems.map((p) => {
          const problem = { ...p, file: shown(p.file) };
          return { ...problem, text: formatRuleProblem(problem) };
        }),
      };
    },
  );
}

function testRule(app: FastifyInstance, { ctx, stage }: RulesDeps): void {
  app.post<{
    Body: { rule?: string; ruleId?: string; fixture?: string; items?: FixtureItem[]; until?: string };
  }>(
    '/api/rules/test',
    {
      config: { access: ['engineer'] },
      schema: {
        tags: ['rules'],
        summary:
          'Run a rule (YAML text or a loaded id) over a fixture; returns what fires and clears, when and why',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...ruleSource,
            fixture: { type: 'string', maxLength: 5_000_000, description: 'JSONL, one item per line' },
            items: {
              type: 'array',
              maxItems: 100_000,
              items: { type: 'object', additionalProperties: true },
            },
            until: {
              type: 'string',
              maxLength: 40,
              description: 'run the clock on to this time at the end',
            },
          },
        },
        response: { 200: runResultSchema },
      },
    },
    async (request) => {
      request.requireRole('engineer');
      const body = request.body;
      const rules = pickRules(stage, body);
      let items: FixtureItem[];
      try {
        items = body.items ?? parseJsonl(body.fixture ?? '');
      } catch (err) {
        throw Errors.badRequest(`fixture: ${(err as Error).message}`);
      }
      const until = parseTimeParam(body.until, 'until');
      const result = replay(ctx.site, rules, items, until === undefined ? {} : { until });
      return present(result, rules, items.length);
    },
  );
}

function backtestRule(app: FastifyInstance, { ctx, stage }: RulesDeps): void {
  app.post<{ Body: { rule?: string; ruleId?: string; deviceIds: string[]; from: string; to: string } }>(
    '/api/rules/backtest',
    {
      config: { access: ['engineer'] },
      schema: {
        tags: ['rules'],
        summary: 'Run a new or changed rule over the stored history of chosen devices, before enabling it',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['deviceIds', 'from', 'to'],
          properties: {
            ...ruleSource,
            deviceIds: {
              type: 'array',
              minItems: 1,
              maxItems: 1000,
              items: { type: 'string', maxLength: 64 },
            },
            from: { type: 'string', maxLength: 40 },
            to: { type: 'string', maxLength: 40 },
          },
        },
        response: { 200: runResultSchema },
      },
    },
    async (request) => {
      request.requireRole('engineer');
      const body = request.body;
      const rules = pickRules(stage, body);
      for (const id of body.deviceIds) if (!ctx.site.device(id)) throw Errors.notFound(`no device '${id}'`);
      const from = parseTimeParam(body.from, 'from')!;
      const to = parseTimeParam(body.to, 'to')!;
      if (to <= from) throw Errors.badRequest('to must be after from');
      const result = backtest(ctx, rules, body.deviceIds, from, to);
      return present(result, rules, result.items);
    },
  );
}

type RulesDeps = { ctx: GatewayContext; stage: RulesFacade };

export function ruleRoutes(stage: RulesFacade): FastifyPluginAsync<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const deps = { ctx, stage };
    listRules(app, deps);
    testRule(app, deps);
    backtestRule(app, deps);
  };
}
