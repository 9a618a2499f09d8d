/**
 * The simulation engine: runs actors on simulated time and merges what they send into one stream
 * ordered by publish time. It is a plain generator — `for (const m of engine.messages())` — so the
 * same run can be published to a broker (mqtt-runner.ts) or consumed in-process by tests, rules
 * and model training, with no broker and no waiting. Commands (`charging_power`) are fed back
 * with `command()`, answered on `weige/{id}/command/result`.
 */
import type { Device, Site } from '../../gateway/src/contracts/site.ts';
import { commandResult } from './encoders.ts';
import { MinHeap } from './heap.ts';
import { Rng } from './rng.ts';
import type { Actor, ChargingCommand, NoiseSettings, SimContext, SimMessage, TruthRecord } from './types.ts';

export interface EngineOptions {
  site: Site;
  seed: string | number;
  startMs: number;
  endMs: number;
  noise: NoiseSettings;
  /** Device clock skew and battery overrides (faults/faults.ts); identity when absent. */
  faults?: {
    isOffline(deviceId: string, t: number): boolean;
    stamp(deviceId: string, t: number): number;
    battery(deviceId: string, t: number, natural: number): number;
    smokeFloor(deviceId: string, t: number): number;
  };
  onTruth?: (record: TruthRecord) => void;
}

export interface EngineStats {
  messages: number;
  /** Messages dropped because their device was offline. */
  droppedOffline: number;
  malformed: number;
  incidents: number;
  /** Simulated time reached, epoch ms. */
  simTime: number;
}

/** Command answers leave the controller this long after the command arrives. */
export const COMMAND_LATENCY_MS = 150;

export class SimulationEngine implements SimContext {
  readonly site: Site;
  readonly rng: Rng;
  readonly startMs: number;
  readonly endMs: number;
  readonly noise: NoiseSettings;
  readonly truthRecords: TruthRecord[] = [];
  readonly stats: EngineStats;
  private readonly actors = new MinHeap<Actor>();
  private readonly outbox = new MinHeap<SimMessage>();
  private readonly devices: Map<string, Device>;
  private readonly commandActors = new Map<string, Actor>();
  private readonly malformRng: Rng;
  private readonly options: EngineOptions;
  private now: number;

  constructor(options: EngineOptions) {
    this.options = options;
    this.site = options.site;
    this.rng = new Rng(options.seed);
    this.malformRng = this.rng.fork('malformed');
    this.startMs = options.startMs;
    this.endMs = options.endMs;
    this.noise = options.noise;
    this.now = options.startMs;
    this.devices = new Map(options.site.devices.map((d) => [d.id, d]));
    this.stats = { messages: 0, droppedOffline: 0, malformed: 0, incidents: 0, simTime: options.startMs };
  }

  addActor(actor: Actor): void {
    for (const id of actor.commandDevices ?? []) this.commandActors.set(id, actor);
    if (Number.isFinite(actor.nextAt)) this.actors.push(actor.nextAt, actor);
  }

  /** Device ids that take commands (the MQTT runner subscribes to their command topics). */
  get commandDevices(): string[] {
    return [...this.commandActors.keys()];
  }

  /** Current simulated time: the newest actor step or message so far. */
  get simTime(): number {
    return this.now;
  }

  device(id: string): Device | undefined {
    return this.devices.get(id);
  }

  send(m: Omit<SimMessage, 'qos' | 'retain'> & Partial<Pick<SimMessage, 'qos' | 'retain'>>): void {
    const message: SimMessage = { qos: 1, retain: false, ...m };
    if (!message.exempt) {
      if (this.options.faults?.isOffline(message.deviceId, message.at)) {
        this.stats.droppedOffline++;
        return;
      }
      if (this.noise.malformedRate > 0 && this.malformRng.chance(this.noise.malformedRate))
        this.malform(message);
    }
    this.outbox.push(message.at, message);
  }

  truth(record: TruthRecord): void {
    if (record.class === 'incident') this.stats.incidents++;
    this.truthRecords.push(record);
    this.options.onTruth?.(record);
  }

  stamp(deviceId: string, t: number): number {
    return this.options.faults ? this.options.faults.stamp(deviceId, t) : t;
  }

  battery(deviceId: string, t: number, naturalPct: number): number {
    return this.options.faults ? this.options.faults.battery(deviceId, t, naturalPct) : naturalPct;
  }

  smokeFloor(deviceId: string, t: number): number {
    return this.options.faults ? this.options.faults.smokeFloor(deviceId, t) : 0;
  }

  /**
   * A command arriving for `deviceId` at simulated time `at` (the raw MQTT payload or an object).
   * Returns false when no simulated device takes commands under that id.
   */
  command(deviceId: string, payload: string | ChargingCommand, atMs = this.now): boolean {
    const at = Math.round(atMs);
    const actor = this.commandActors.get(deviceId);
    const device = this.devices.get(deviceId);
    if (!actor?.command || !device) return false;
    let cmd: ChargingCommand;
    try {
      cmd = typeof payload === 'string' ? (JSON.parse(payload) as ChargingCommand) : payload;
    } catch {
      return true; // a controller ignores what it cannot parse; it has no id to answer to
    }
    if (typeof cmd?.id !== 'string') return true;
    const outcome = actor.command(deviceId, cmd, at);
    const answer = {
      at: at + COMMAND_LATENCY_MS,
      deviceId,
      exempt: true,
      ...commandResult(device, cmd.id, outcome.ok, outcome.error),
    };
    // A live runner answers at once; queued, the answer would wait for the next scheduled message.
    if (this.answerNow) this.answerNow({ qos: 1, retain: false, ...answer });
    else this.send(answer);
    return true;
  }

  /** Set by a live runner: command answers go straight to it instead of the time-ordered outbox. */
  answerNow: ((m: SimMessage) => void) | null = null;

  /** Every message of the run in publish-time order, lazily; ends at `endMs`. */
  *messages(): Generator<SimMessage, EngineStats> {
    for (;;) {
      const nextActorAt = Math.min(this.actors.peekKey(), this.endMs + 1);
      while (
        this.outbox.size &&
        this.outbox.peekKey() <= nextActorAt &&
        this.outbox.peekKey() <= this.endMs
      ) {
        const m = this.outbox.pop()!;
        this.now = Math.max(this.now, m.at);
        this.stats.messages++;
        this.stats.simTime = this.now;
        yield m;
      }
      if (nextActorAt > this.endMs) break;
      const actor = this.actors.pop()!;
      this.now = Math.max(this.now, actor.nextAt);
      actor.step(actor.nextAt);
      if (Number.isFinite(actor.nextAt)) this.actors.push(actor.nextAt, actor);
    }
    this.stats.simTime = this.endMs;
    return this.stats;
  }

  /** Runs to the end, handing each message to `sink` (if any); returns the stats. */
  runToEnd(sink?: (m: SimMessage) => void): EngineStats {
    for (const m of this.messages()) sink?.(m);
    return this.stats;
  }

  /** Replaces the payload with a broken one the gateway must dead-letter as `malformed_json`. */
  private malform(m: SimMessage): void {
    // Plain-text status payloads are only parsed as JSON when they start with '{'.
    const variant = m.topic.endsWith('/status') ? 1 : this.malformRng.int(0, 2);
    m.payload =
      variant === 0
        ? m.payload.slice(0, Math.max(1, Math.floor(m.payload.length / 2)))
        : variant === 1
          ? `{${m.payload}`
          : `\u0000\u00ff${m.payload.slice(1, 20)}`;
    m.expectReject = 'malformed_json';
    this.stats.malformed++;
    this.truth({
      class: 'fault',
      kind: 'malformed',
      ts: Math.round(m.at),
      deviceId: m.deviceId,
      details: { topic: m.topic },
    });
  }
}
