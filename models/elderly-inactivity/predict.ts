/**
 * elderly-inactivity: runtime pieces (the only file the gateway imports). The TF.js model is the
 * cold-start prior: P(water activity) for each hour of a weekday and weekend day, given what the
 * site file says about the household, learned from simulated households; each household's own
 * rhythm then takes over as its hours are learned (household.ts).
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { Household } from '../../gateway/src/contracts/site.ts';
import type { ModelMeta } from '../lib/model-store.ts';
import { BUCKETS } from './household.ts';
import { DEFAULT_PARAMS, LIMIT_TABLE_M, type InactivityParams } from './params.ts';
import type { PresenceSet } from './presence.ts';

export { flowAlarmOf, type FlowAlarm } from './continuous-flow.ts';
export { HouseholdState, bucketOf, type InactivityAlert } from './household.ts';
export { DEFAULT_PARAMS, type InactivityParams } from './params.ts';

export const MODEL_NAME = 'elderly-inactivity';
export const FEATURE_NAMES = [
  'hour_sin',
  'hour_cos',
  'hour2_sin',
  'hour2_cos',
  'hour3_sin',
  'hour3_cos',
  'weekend',
  'residents',
  'elderly',
  'lives_alone',
] as const;
export const CLASSES = ['idle', 'active'] as const;

export function priorFeatures(
  bucket: number,
  h: Pick<Household, 'residents' | 'elderly' | 'livesAlone'>,
): number[] {
  const hour = bucket % 24;
  const w = (2 * Math.PI * hour) / 24;
  return [
    Math.sin(w),
    Math.cos(w),
    Math.sin(2 * w),
    Math.cos(2 * w),
    Math.sin(3 * w),
    Math.cos(3 * w),
    bucket >= 24 ? 1 : 0,
    Math.min(h.residents, 6) / 4,
    h.elderly ? 1 : 0,
    h.livesAlone ? 1 : 0,
  ];
}

/** The 48 prior probabilities (weekday hours 0–23, then weekend hours) for a household. */
export function coldStartPrior(
  tf: typeof import('@tensorflow/tfjs'),
  model: LayersModel,
  meta: ModelMeta,
  household: Pick<Household, 'residents' | 'elderly' | 'livesAlone'>,
): number[] {
  const rows = Array.from({ length: BUCKETS }, (_, k) =>
    priorFeatures(k, household).map((v, i) => (v - meta.features.mean[i]!) / (meta.features.std[i]! || 1)),
  );
  const out = tf.tidy(() => (model.predict(tf.tensor2d(rows)) as Tensor).dataSync());
  const active = meta.classes.indexOf('active');
  return rows.map((_, k) => Math.min(0.98, Math.max(0.01, out[k * meta.classes.length + active]!)));
}

/** The population floors by start hour, stored as params `floorH0`…`floorH23` (null if absent). */
export function floorsFrom(meta: ModelMeta): number[] | null {
  const floors = Array.from({ length: 24 }, (_, h) => meta.params[`floorH${h}`]);
  return floors.every((f) => f !== undefined) ? (floors as number[]) : null;
}

export function floorParams(floorsH: readonly number[] | null): Record<string, number> {
  return floorsH ? Object.fromEntries(floorsH.map((f, h) => [`floorH${h}`, f])) : {};
}

/** Param name of limit-table cell `k` (start hour × LIMIT_TABLE_M + longest spell). */
const limitKey = (k: number): string => `limitH${Math.floor(k / LIMIT_TABLE_M)}m${k % LIMIT_TABLE_M}`;

/** The limit table, stored as params `limitH<hour>m<longest spell>` (only the cells it sets). */
export function limitTableParams(table: readonly number[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  table?.forEach((limit, k) => {
    if (limit > 0) out[limitKey(k)] = limit;
  });
  return out;
}

/** Params as meta.json stores them: numbers only, the limit table as its cells. */
export function storedParams(params: InactivityParams): Record<string, number> {
  const { limitTable, ...numbers } = params;
  return { ...numbers, ...limitTableParams(limitTable) };
}

/** Param name of the limit shift calibrated for a false-alert budget (per household-day). */
export const budgetShiftKey = (budget: number): string => `budgetShiftH:${budget}`;

/** The same for households reporting presence signals (`door`, `electricity` or `both`). */
type PresenceOnly = Exclude<PresenceSet, 'water'>;
const presenceShiftPrefix = (signals: PresenceOnly): string => `presenceShiftH:${signals}:`;
export const presenceShiftKey = (signals: PresenceOnly, budget: number): string =>
  `${presenceShiftPrefix(signals)}${budget}`;

/**
 * The limit shift for a site's false-alert budget: the one calibrated for the largest budget at or
 * below it (0 when the version has none, or the site asks for less than any). `prefix` is the
 * key without its budget (`budgetShiftH:` or `presenceShiftH:<signals>:`).
 */
export function shiftForBudget(meta: ModelMeta, budget: number, prefix = 'budgetShiftH:'): number {
  let best: { budget: number; shift: number } | null = null;
  for (const [key, shift] of Object.entries(meta.params)) {
    if (!key.startsWith(prefix)) continue;
    const b = Number(key.slice(prefix.length));
    if (b <= budget + 1e-12 && (!best || b > best.budget)) best = { budget: b, shift };
  }
  return best?.shift ?? 0;
}

export function paramsFrom(meta: ModelMeta, budget?: number): InactivityParams {
  const table = Array.from({ length: 24 * LIMIT_TABLE_M }, (_, k) => meta.params[limitKey(k)] ?? 0);
  // Versions up to @6 kept every spell in the record: they run as they were measured.
  const legacy = meta.params.maxSpellH === undefined ? { maxSpellH: Number.MAX_VALUE } : {};
  const params = { ...DEFAULT_PARAMS, ...legacy, ...(meta.params as Partial<InactivityParams>) };
  if (budget !== undefined) {
    params.limitShiftH = shiftForBudget(meta, budget);
    params.doorShiftH = shiftForBudget(meta, budget, presenceShiftPrefix('door'));
    params.electricityShiftH = shiftForBudget(meta, budget, presenceShiftPrefix('electricity'));
    params.bothShiftH = shiftForBudget(meta, budget, presenceShiftPrefix('both'));
  }
  return table.some((l) => l > 0) ? { ...params, limitTable: table } : params;
}
