/**
 * Compiles a rule's `when`/`clear` tree (`all`/`any`/`not` over `{fact, op, value}` leaves) into
 * closures. Logic is three-valued: a fact with no data (or a data gap) is unknown, so a gap
 * neither fires nor clears an alert; it is the device-health pack's business.
 */
import { comparisonOperator, type FactValue } from '../../../../rules/operators/comparison.ts';
import { compileFact } from './expression.ts';
import { parseDuration } from './duration.ts';
import { unknownFieldProblem, type FieldScope } from './field-check.ts';
import type { CompiledCondition, DeviceFilter, EvalContext, Subject, Tri } from './types.ts';

/** A problem at a JSON pointer inside the rule (the loader adds line and column). */
export class ConditionError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
  }
}

type Node = Record<string, unknown>;
type ValueResolver = (subject: Subject) => unknown;

const REF_ROOTS = ['household', 'device'] as const;

/** `fields` says what the rule's facts may read; an unknown field is a ConditionError. */
export function compileCondition(node: Node, pointer: string, fields: FieldScope): CompiledCondition {
  if (Array.isArray(node.all)) return combine(node.all as Node[], `${pointer}/all`, 'all', fields);
  if (Array.isArray(node.any)) return combine(node.any as Node[], `${pointer}/any`, 'any', fields);
  if (node.not !== undefined) {
    const inner = compileCondition(node.not as Node, `${pointer}/not`, fields);
    return { ...inner, evaluate: (ctx) => negate(inner.evaluate(ctx)) };
  }
  return compileLeaf(node, pointer, fields);
}

function negate(v: Tri): Tri {
  return v === null ? null : !v;
}

function combine(
  children: Node[],
  pointer: string,
  mode: 'all' | 'any',
  fields: FieldScope,
): CompiledCondition {
  const compiled = children.map((c, i) => compileCondition(c, `${pointer}/${i}`, fields));
  const horizons = new Map<string, number>();
  for (const c of compiled)
    for (const [f, ms] of c.horizons) horizons.set(f, Math.max(ms, horizons.get(f) ?? 0));
  return {
    horizons,
    clockDriven: compiled.some((c) => c.clockDriven),
    usesPlaceScope: compiled.some((c) => c.usesPlaceScope),
    // Every child is evaluated (no short-circuit) so texts and evidence see all facts.
    evaluate: (ctx) => {
      let unknown = false;
      let decided: boolean | undefined;
      for (const c of compiled) {
        const v = c.evaluate(ctx);
        if (v === null) unknown = true;
        else if (mode === 'all' && !v) decided = false;
        else if (mode === 'any' && v) decided = true;
      }
      if (decided !== undefined) return decided;
      return unknown ? null : mode === 'all';
    },
  };
}

function compileLeaf(node: Node, pointer: string, fields: FieldScope): CompiledCondition {
  let fact;
  try {
    fact = compileFact(String(node.fact));
  } catch (err) {
    throw new ConditionError(`${pointer}/fact`, (err as Error).message);
  }
  const opName = String(node.op);
  const op = comparisonOperator(opName);
  if (!op) throw new ConditionError(`${pointer}/op`, `unknown operator '${opName}'`);
  const resolve = compileValue(node.value, `${pointer}/value`, op.validate.bind(op));
  const name = typeof node.as === 'string' ? node.as : fact.text;
  const scope = node.scope === 'place' ? 'place' : 'self';
  const filter = node.devices as DeviceFilter | undefined;
  const field = fact.args.field;
  // A place-wide fact reads the devices its filter names, not the rule's own match.
  const problem = unknownFieldProblem(
    field,
    scope === 'place' ? { source: fields.source, deviceKind: filter?.deviceKind } : fields,
  );
  if (problem) throw new ConditionError(`${pointer}/fact`, problem);

  const testOne = (fv: FactValue, subject: Subject): Tri =>
    fv === undefined ? null : op.test(fv, resolve(subject));

  const evaluate =
    scope === 'self'
      ? (ctx: EvalContext): Tri => {
          const { device, stream } = ctx.subject;
          const fv = fact.evaluate(ctx.series.samples(device.id, stream, field), ctx.at);
          ctx.facts[name] = fv;
          return testOne(fv, ctx.subject);
        }
      : (ctx: EvalContext): Tri => {
          const place = ctx.subject.place;
          if (!place) return null;
          let unknown = false;
          let seen: FactValue;
          for (const device of ctx.series.devicesAt(place.id, filter)) {
            const streams = ctx.series.streams(device.id, 'reading');
            for (const stream of streams.length ? streams : ['']) {
              const fv = fact.evaluate(ctx.series.samples(device.id, stream, field), ctx.at);
              const v = testOne(fv, ctx.subject);
              if (fv !== undefined && seen === undefined) seen = fv;
              if (v === true) {
                ctx.facts[name] = fv;
                ctx.facts[`${name}Device`] = device.id;
                return true;
              }
              if (v === null) unknown = true;
            }
          }
          ctx.facts[name] = seen;
          return unknown ? null : false;
        };
  return {
    horizons: new Map([[field, fact.horizonMs]]),
    clockDriven: fact.fn.clockDriven,
    usesPlaceScope: scope === 'place',
    evaluate,
  };
}

/** A leaf's `value`: a literal, a duration (compared in seconds), or `{ref, default}` per subject. */
function compileValue(raw: unknown, pointer: string, validate: (v: unknown) => string | null): ValueResolver {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const { ref, default: fallback } = raw as { ref: string; default: number };
    const [root, ...path] = ref.split('.');
    if (!REF_ROOTS.includes(root as (typeof REF_ROOTS)[number]) || path.length === 0)
      throw new ConditionError(
        `${pointer}/ref`,
        `ref must start with ${REF_ROOTS.join(' or ')}. (got '${ref}')`,
      );
    const problem = validate(fallback);
    if (problem) throw new ConditionError(`${pointer}/default`, problem);
    return (subject) => {
      let cur: unknown = root === 'household' ? subject.household : subject.device;
      for (const key of path)
        cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
      return typeof cur === 'number' ? cur : fallback;
    };
  }
  const value = typeof raw === 'string' && parseDuration(raw) !== null ? parseDuration(raw)! / 1000 : raw;
  const problem = validate(value);
  if (problem) throw new ConditionError(pointer, problem);
  return () => value;
}
