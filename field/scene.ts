/**
 * What a generated scene is: timed MQTT messages as devices would send them, and the ground truth
 * a scorer needs (what happened, when, where). Both are written as JSONL, one object a line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS } from './time.ts';

export const DANGERS = ['throws', 'water', 'sheds'] as const;
export type Danger = (typeof DANGERS)[number];

/** One MQTT publish: `ts` is the scene time the device sends it (epoch ms); `payload` the exact text. */
export interface SceneMessage {
  ts: number;
  topic: string;
  payload: string;
}

/** The span and the places a scene covers: the scorer's denominators. */
export interface SceneTruth {
  danger: Danger;
  kind: 'scene';
  id: string;
  ts: number;
  endTs: number;
  seed: number;
  /** Cameras, households or sheds the scene generates data for. */
  places: string[];
  /** Water scenes: each household's signals besides its water meter (the scorer splits by them). */
  presence?: Record<string, PresenceSignal[]>;
}

export type PresenceSignal = 'electricity' | 'door';

/** A real thrown object: the alert the gateway owes. */
export interface ThrowTruth {
  danger: 'throws';
  kind: 'throw';
  id: string;
  /** Release time. */
  ts: number;
  /** Last tracked frame. */
  endTs: number;
  camera: string;
  building: string;
  facade: string;
  floor: number;
  column: number;
  object: string;
  /** The camera track that shows it. */
  trackId: string;
  trackDelayS: number;
  fps: number;
}

/** Something that moves in front of a façade camera and is not a throw. */
export interface DistractorTruth {
  danger: 'throws';
  kind: 'distractor';
  id: string;
  ts: number;
  endTs: number;
  camera: string;
  cause: string;
  /** Tracks the source produced (a drip spot makes hundreds). */
  tracks: number;
  floor: number | null;
  /** Release pixel of a fixed spot (drips), for checks. */
  spot: [number, number] | null;
}

export interface CollapseTruth {
  danger: 'water';
  kind: 'collapse';
  id: string;
  ts: number;
  endTs: number;
  household: string;
  device: string;
  /** Local 08:00–20:00, the goal's "daytime incident". */
  daytime: boolean;
  /** What the collapse left drawing power, where an electricity meter can see it. */
  leftOn?: 'lights' | 'tv' | null;
}

export interface AbsenceTruth {
  danger: 'water';
  kind: 'absence';
  id: string;
  ts: number;
  endTs: number;
  household: string;
  cause: 'outing' | 'night_away' | 'hospital';
  announced: boolean;
}

export interface RunawayTruth {
  danger: 'sheds';
  kind: 'runaway';
  id: string;
  /** First off-gas (VOC or H₂, whichever comes first). */
  ts: number;
  h2Ts: number;
  coTs: number;
  smokeTs: number;
  flameTs: number;
  endTs: number;
  shed: string;
  charger: string;
  port: number;
}

export interface NuisanceTruth {
  danger: 'sheds';
  kind: 'nuisance';
  id: string;
  ts: number;
  endTs: number;
  shed: string;
  cause: string;
  port: number | null;
}

export type Truth =
  SceneTruth | ThrowTruth | DistractorTruth | CollapseTruth | AbsenceTruth | RunawayTruth | NuisanceTruth;

export interface Scene {
  messages: SceneMessage[];
  truth: Truth[];
}

/** What a seed and a span of days make a scene of. */
export interface SceneSpan {
  seed: number;
  /** Scene start, epoch ms (a local midnight reads best). */
  startMs: number;
  days: number;
}

/** An empty scene holding its `scene` truth row. */
export function openScene(
  danger: Danger,
  span: SceneSpan,
  places: string[],
  presence?: SceneTruth['presence'],
): Scene {
  const endTs = span.startMs + span.days * DAY_MS;
  const row: SceneTruth = {
    danger,
    kind: 'scene',
    id: 'scene',
    ts: span.startMs,
    endTs,
    seed: span.seed,
    places,
    ...(presence ? { presence } : {}),
  };
  return { messages: [], truth: [row] };
}

export const MESSAGES_FILE = 'messages.jsonl';
export const TRUTH_FILE = 'truth.jsonl';
export const COMMANDS_FILE = 'commands.jsonl';

/** Messages in send order; ties keep generation order (stable sort). */
export function sortScene(scene: Scene): Scene {
  return {
    messages: [...scene.messages].sort((a, b) => a.ts - b.ts),
    truth: [...scene.truth].sort((a, b) => a.ts - b.ts || a.id.localeCompare(b.id)),
  };
}

export function writeScene(dir: string, scene: Scene): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MESSAGES_FILE), toJsonl(scene.messages));
  writeFileSync(join(dir, TRUTH_FILE), toJsonl(scene.truth));
}

export function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

function toJsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}
