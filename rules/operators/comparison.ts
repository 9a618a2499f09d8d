/**
 * Comparison operators a rule condition may name (`{fact, op, value}`), each with a validator
 * that checks the rule's `value` when the rule is loaded, so a typo fails at load time with a
 * precise message instead of never matching at run time (STYLE.md habit 11).
 * Engineers add an operator by adding an entry here; operators are pure.
 */

/** What a fact evaluates to; `undefined` means "unknown" (no data, or a data gap). */
export type FactValue = number | string | boolean | undefined;

export interface ComparisonOperator {
  readonly name: string;
  readonly description: string;
  /** Null when `value` suits this operator, else what is wrong with it. */
  validate(value: unknown): string | null;
  test(fact: Exclude<FactValue, undefined>, value: unknown): boolean;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isScalar = (v: unknown): boolean => isNumber(v) || typeof v === 'string' || typeof v === 'boolean';

function numeric(
  name: string,
  description: string,
  test: (a: number, b: number) => boolean,
): ComparisonOperator {
  return {
    name,
    description,
    validate: (value) =>
      isNumber(value) ? null : `operator '${name}' needs a number, got ${JSON.stringify(value)}`,
    test: (fact, value) => isNumber(fact) && test(fact, value as number),
  };
}

function range(name: string, description: string, inside: boolean): ComparisonOperator {
  return {
    name,
    description,
    validate: (value) =>
      Array.isArray(value) &&
      value.length === 2 &&
      isNumber(value[0]) &&
      isNumber(value[1]) &&
      value[0] <= value[1]
        ? null
        : `operator '${name}' needs [low, high] with low <= high, got ${JSON.stringify(value)}`,
    test: (fact, value) => {
      if (!isNumber(fact)) return false;
      const [low, high] = value as [number, number];
      return (fact >= low && fact <= high) === inside;
    },
  };
}

export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = [
  numeric('gt', 'fact > value', (a, b) => a > b),
  numeric('gte', 'fact >= value', (a, b) => a >= b),
  numeric('lt', 'fact < value', (a, b) => a < b),
  numeric('lte', 'fact <= value', (a, b) => a <= b),
  {
    name: 'eq',
    description: 'fact equals value (number, string or boolean)',
    validate: (value) => (isScalar(value) ? null : `operator 'eq' needs a number, string or boolean`),
    test: (fact, value) => fact === value,
  },
  {
    name: 'neq',
    description: 'fact differs from value',
    validate: (value) => (isScalar(value) ? null : `operator 'neq' needs a number, string or boolean`),
    test: (fact, value) => fact !== value,
  },
  {
    name: 'in',
    description: 'fact is one of the listed values',
    validate: (value) =>
      Array.isArray(value) && value.length > 0 && value.every(isScalar)
        ? null
        : `operator 'in' needs a non-empty list of numbers or strings`,
    test: (fact, value) => (value as unknown[]).includes(fact),
  },
  range('between', 'low <= fact <= high', true),
  range('outside', 'fact < low or fact > high', false),
];

const BY_NAME = new Map(COMPARISON_OPERATORS.map((o) => [o.name, o]));

export function comparisonOperator(name: string): ComparisonOperator | undefined {
  return BY_NAME.get(name);
}
