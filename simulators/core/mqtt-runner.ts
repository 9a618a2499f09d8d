/**
 * Publishes a simulation to an MQTT broker, paced on simulated time: `speed` simulated seconds
 * per wall second, or 'fast' (as fast as the broker acknowledges, with a window of QoS 1
 * publishes in flight). Messages before `liveFromMs` (a back-fill) go out at once; after it,
 * simulated time tracks the wall clock × speed from that point. The charging controllers'
 * command topics are subscribed, so the gateway's `charging_power` commands reach the model.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { COMMAND_LATENCY_MS, type SimulationEngine } from './engine.ts';
import type { SimMessage } from './types.ts';

export interface RunnerOptions {
  brokerUrl: string;
  username?: string;
  password?: string;
  speed: number | 'fast';
  /** Back-fill boundary: messages at or before this simulated time are sent without waiting. */
  liveFromMs?: number | null;
  /** QoS 1 publishes awaiting their PUBACK at once. Default 256. */
  maxInFlight?: number;
  /** Called about five times a second. */
  onProgress?: (p: RunProgress) => void;
  signal?: AbortSignal;
  clientId?: string;
}

export interface RunProgress {
  simTime: number;
  messages: number;
  incidents: number;
  /** Wall ms since the run started. */
  elapsedMs: number;
}

export interface RunResult extends RunProgress {
  aborted: boolean;
  publishErrors: number;
  /** Deliberately malformed messages actually published (a command answered after the run ended is not). */
  malformedSent: number;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Publishes QoS 1/0 messages with at most `max` in flight, counting failures and malformed ones sent. */
class WindowedPublisher {
  inFlight = 0;
  errors = 0;
  malformedSent = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly client: MqttClient,
    private readonly max: number,
  ) {}

  publish(m: SimMessage): void {
    this.inFlight++;
    if (m.expectReject) this.malformedSent++;
    this.client.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }, (err) => {
      if (err) this.errors++;
      this.inFlight--;
      const w = this.waiters;
      this.waiters = [];
      for (const fn of w) fn();
    });
  }

  /** Resolves once fewer than `limit` messages are in flight. */
  async below(limit: number = this.max): Promise<void> {
    while (this.inFlight >= limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

function connect(options: RunnerOptions): Promise<MqttClient> {
  return mqtt.connectAsync(options.brokerUrl, {
    username: options.username ?? 'simulator',
    password: options.password ?? 'weige-service',
    clientId: options.clientId ?? `weige-sim-${process.pid}-${Date.now().toString(36)}`,
    reconnectPeriod: 1000,
    // Offline queueing would hide a dead broker behind an ever-growing buffer.
    queueQoSZero: false,
  });
}

export async function runOverMqtt(engine: SimulationEngine, options: RunnerOptions): Promise<RunResult> {
  const client = await connect(options);
  const wallStart = Date.now();
  const anchorSim = Math.max(engine.startMs, options.liveFromMs ?? engine.startMs);
  /** Simulated "now" while live: the wall clock mapped through the speed from the anchor. */
  const liveSimNow = (): number =>
    options.speed === 'fast' ? engine.simTime : anchorSim + (Date.now() - wallStart) * options.speed;

  const commandTopics = engine.commandDevices.map((id) => `weige/${id}/command`);
  client.on('message', (topic, payload) => {
    const deviceId = topic.split('/')[1]!;
    engine.command(
      deviceId,
      payload.toString('utf8'),
      Math.max(engine.simTime, Math.min(liveSimNow(), engine.endMs)),
    );
  });
  if (commandTopics.length) await client.subscribeAsync(commandTopics, { qos: 1 });

  const out = new WindowedPublisher(client, options.maxInFlight ?? 256);
  // A controller answers its commands at once, not behind its next scheduled report (which may be
  // minutes away in a live run: the gateway's cut-off would time out).
  let ended = false;
  engine.answerNow = (m) => {
    // Its latency on the run's pace, never longer than on the wall clock (a slowed-down run).
    const delayMs = options.speed === 'fast' ? 0 : COMMAND_LATENCY_MS / Math.max(1, options.speed);
    setTimeout(() => {
      if (!ended) out.publish(m);
    }, delayMs);
  };
  const progress = (): RunProgress => ({
    simTime: engine.simTime,
    messages: engine.stats.messages,
    incidents: engine.stats.incidents,
    elapsedMs: Date.now() - wallStart,
  });
  const timer = setInterval(() => options.onProgress?.(progress()), 200);

  let aborted = false;
  try {
    for (const m of engine.messages()) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      if (options.speed !== 'fast' && m.at > anchorSim) {
        const waitMs = (m.at - anchorSim) / options.speed - (Date.now() - wallStart);
        if (waitMs > 2) await sleep(waitMs, options.signal);
      }
      await out.below();
      out.publish(m);
    }
    await out.below(1);
  } finally {
    ended = true;
    engine.answerNow = null;
    clearInterval(timer);
    options.onProgress?.(progress());
    await client.endAsync();
  }
  return { ...progress(), aborted, publishErrors: out.errors, malformedSent: out.malformedSent };
}
