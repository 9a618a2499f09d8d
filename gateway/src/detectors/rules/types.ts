/** Shapes shared by the rule loader, engine, runner and API. */
import type { Severity } from '../../contracts/alerts.ts';
import type { DeviceKind } from '../../contracts/readings.ts';
import type { Device, Household, Place } from '../../contracts/site.ts';
import type { FactValue } from '../../../../rules/operators/comparison.ts';
import type { Sample } from '../../../../rules/operators/windows.ts';

export type InputSource = 'reading' | 'event' | 'health';

/** One input, normalised: a reading, a device event, or a health change. */
export interface Observation {
  source: InputSource;
  deviceId: string;
  /** Event time, epoch ms. */
  ts: number;
  /** Which series of the device: a port number, `ev:<type>`, `health`, or '' for the device. */
  stream: string;
  values: Record<string, number>;
  labels: Record<string, string>;
  /** Device events: the payload's other attributes (snapshot_url…), kept for evidence. */
  attributes?: Record<string, unknown>;
}

/** Who or what one rule instance watches. */
export interface Subject {
  /** Stable id: `device:<id>[#<stream>]` or `place:<id>`. */
  key: string;
  device: Device;
  stream: string;
  place: Place | undefined;
  household: Household | undefined;
}

export type Tri = boolean | null;

/** Read access to the engine's sample buffers. */
export interface SeriesView {
  samples(deviceId: string, stream: string, field: string): readonly Sample[];
  /** Streams of a device seen so far (ports of a charging controller…). */
  streams(deviceId: string, source: InputSource): string[];
  /** Devices at a place, filtered. */
  devicesAt(placeId: string, filter: DeviceFilter | undefined): Device[];
}

export interface EvalContext {
  at: number;
  subject: Subject;
  series: SeriesView;
  /** Fact values seen while evaluating, by `as` name or fact text (texts and evidence). */
  facts: Record<string, FactValue>;
}

export interface CompiledCondition {
  evaluate(ctx: EvalContext): Tri;
  /** Field -> ms of history the condition needs. */
  horizons: Map<string, number>;
  clockDriven: boolean;
  usesPlaceScope: boolean;
}

export interface DeviceFilter {
  deviceKind?: DeviceKind[];
  tags?: string[];
  notTags?: string[];
  device?: string[];
}

export interface RuleMatch extends DeviceFilter {
  source: InputSource;
  eventType?: string[];
  placeKind?: string[];
  place?: string[];
  building?: string[];
  facade?: string[];
  grid?: string;
  household?: { livesAlone?: boolean; elderly?: boolean };
}

/** One text in both languages (a rule's description). */
export interface RuleDescription {
  'zh-CN': string;
  en: string;
}

export interface LocalizedTexts {
  'zh-CN': { title: string; message: string };
  en: { title: string; message: string };
}

export interface Schedule {
  days?: string[];
  from?: string;
  to?: string;
}

export interface CompiledRule {
  id: string;
  file: string;
  /** Hash of the file text: evidence says which version of a rule fired. */
  hash: string;
  /** What the rule means, in both languages (for the rule list). */
  description: RuleDescription | null;
  enabled: boolean;
  kind: string;
  severity: Severity;
  match: RuleMatch;
  subject: 'device' | 'place';
  when: CompiledCondition;
  forMs: number;
  /** null = one-shot (`clear: none`). */
  clear: { when: CompiledCondition; forMs: number } | null;
  schedule: Schedule | null;
  dedupeKey: string;
  cooldownMs: number;
  autoResolve: boolean;
  /** Model this rule stands in for: it raises nothing while that model is loaded. */
  fallbackFor: string | null;
  texts: LocalizedTexts;
  /** The rule as written, for GET /api/rules. */
  definition: Record<string, unknown>;
  /** The file text it was compiled from: the rules worker compiles the same version. */
  text: string;
}

export interface RuleProblem {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export function formatRuleProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}:${p.col} ${p.path || '/'} ${p.message}`;
}
