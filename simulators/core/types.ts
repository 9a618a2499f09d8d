/**
 * The simulator's seams. Models ("actors") run on simulated event time and emit `SimMessage`s
 * (topic, payload, publish time) through a `SimContext`; the engine merges them in time order.
 * The same stream can go to a broker (mqtt-runner.ts) or be consumed in-process (engine.ts).
 */
import type { Device, Site } from '../../gateway/src/contracts/site.ts';
import type { Rng } from './rng.ts';

export interface SimMessage {
  /** Simulated publish time, epoch ms (after the event time for late or batched uploads). */
  at: number;
  topic: string;
  payload: string;
  deviceId: string;
  qos: 0 | 1;
  retain: boolean;
  /** Not subject to injected faults: the broker's will for an offline device, command answers. */
  exempt?: boolean;
  /** Set when the message is deliberately bad: the dead-letter reason the gateway should give. */
  expectReject?: string;
}

/** Kinds of ground-truth record. `incident` = something a detector should raise. */
export type TruthClass = 'incident' | 'nuisance' | 'fault' | 'context' | 'distractor';

/** One line of the ground-truth JSONL: what was injected, where and when. */
export interface TruthRecord {
  class: TruthClass;
  kind: string;
  /** Event time the truth starts, epoch ms, and its ISO form. */
  ts: number;
  endTs?: number;
  deviceId?: string;
  household?: string;
  place?: string;
  building?: string;
  facade?: string;
  floor?: number;
  port?: number;
  /** Anything else that identifies or describes it (object class, milestones, outcome). */
  details?: Record<string, unknown>;
}

export interface ChargingCommand {
  id: string;
  name: string;
  args?: { port?: number; on?: boolean } & Record<string, unknown>;
}

export interface CommandOutcome {
  ok: boolean;
  error?: string;
}

export interface NoiseSettings {
  /** Probability an uplink is lost (meters). */
  lostRate: number;
  /** Probability an uplink is delayed by 1–6 h (meters). */
  lateRate: number;
  /** Probability any message is replaced by a malformed payload. */
  malformedRate: number;
  droppedFrameRate: number;
  detectorNoisePx: number;
  /** Nuisance events per shed per day. */
  nuisancePerShedDay: number;
  /** Multiplies every camera distractor rate. */
  distractorScale: number;
  /** Probability that it rains on a given day. */
  rainDayProbability: number;
  /** Multiplies littering and fire-lane stop rates. */
  placeEventScale: number;
}

export interface SimContext {
  readonly site: Site;
  readonly rng: Rng;
  readonly startMs: number;
  readonly endMs: number;
  readonly noise: NoiseSettings;
  device(id: string): Device | undefined;
  /** Queue a message; offline devices drop it, and a share becomes malformed. */
  send(message: Omit<SimMessage, 'qos' | 'retain'> & Partial<Pick<SimMessage, 'qos' | 'retain'>>): void;
  truth(record: TruthRecord): void;
  /** The device's own clock at true time `t` (clock-skew faults). */
  stamp(deviceId: string, t: number): number;
  /** Battery level to report: the model's natural level unless a low-battery fault overrides it. */
  battery(deviceId: string, t: number, naturalPct: number): number;
  /** Lowest smoke reading a contaminated chamber can show at `t` (dB/m); 0 when clean. */
  smokeFloor(deviceId: string, t: number): number;
}

/** A model that runs on simulated time. */
export interface Actor {
  readonly id: string;
  /** Next simulated time the actor wants to run, epoch ms; +Infinity when done. */
  nextAt: number;
  step(now: number): void;
  /** Device ids this actor answers commands for. */
  readonly commandDevices?: readonly string[];
  command?(deviceId: string, command: ChargingCommand, now: number): CommandOutcome;
}
