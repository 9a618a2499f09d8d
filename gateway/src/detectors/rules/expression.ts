/**
 * Facts are tiny expressions, compiled once to closures: `max(temp_c, 5m)`,
 * `consumption(total_m3, 12h)`, or a bare field name meaning `latest(field)`. The grammar is a
 * function name, a field and literal arguments (durations, numbers); nothing else exists, so a
 * rule file can compute nothing but what the registered window functions offer, and there is no
 * path to `eval`, globals or the process.
 */
import {
  windowFunction,
  type Sample,
  type WindowArgs,
  type WindowFunction,
} from '../../../../rules/operators/windows.ts';
import type { FactValue } from '../../../../rules/operators/comparison.ts';
import { parseDuration } from './duration.ts';

export interface CompiledFact {
  text: string;
  fn: WindowFunction;
  args: WindowArgs;
  horizonMs: number;
  evaluate(samples: readonly Sample[], at: number): FactValue;
}

const CALL_RE = /^([a-z][a-z0-9_]*)\s*\((.*)\)$/s;
const FIELD_RE = /^[a-z][a-z0-9_]*$/;

/** Compiles a fact or throws an Error whose message says what is wrong. */
export function compileFact(text: string): CompiledFact {
  const src = text.trim();
  const call = CALL_RE.exec(src);
  const name = call ? call[1]! : 'latest';
  const rawArgs = call ? splitArgs(call[2]!) : [src];
  const fn = windowFunction(name);
  if (!fn) throw new Error(`unknown function '${name}' in fact '${text}'`);
  const required = fn.args.filter((a) => a.default === undefined).length;
  if (rawArgs.length < required || rawArgs.length > fn.args.length)
    throw new Error(
      `${name}() takes ${fn.args.map((a) => (a.default === undefined ? a.name : `${a.name}?`)).join(', ')}; got ${rawArgs.length} argument(s) in '${text}'`,
    );
  let field = '';
  const params: number[] = [];
  fn.args.forEach((spec, i) => {
    const raw = rawArgs[i];
    if (raw === undefined) {
      params.push(spec.default!);
      return;
    }
    switch (spec.kind) {
      case 'field':
        if (!FIELD_RE.test(raw)) throw new Error(`'${raw}' is not a field name (like temp_c) in '${text}'`);
        field = raw;
        return;
      case 'duration': {
        const ms = parseDuration(raw);
        if (ms === null) throw new Error(`'${raw}' is not a duration (like 90s, 5m, 12h) in '${text}'`);
        params.push(ms);
        return;
      }
      case 'number': {
        const n = Number(raw);
        if (raw === '' || !Number.isFinite(n)) throw new Error(`'${raw}' is not a number in '${text}'`);
        params.push(n);
        return;
      }
    }
  });
  const args: WindowArgs = { field, params };
  const problem = fn.validate?.(args);
  if (problem) throw new Error(`${problem} in '${text}'`);
  return {
    text: src,
    fn,
    args,
    horizonMs: fn.horizonMs(args),
    evaluate: (samples, at) => fn.evaluate(samples, at, args),
  };
}

function splitArgs(inner: string): string[] {
  const trimmed = inner.trim();
  return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
}
