/**
 * Device faults that exercise the gateway's bad-input and health handling: devices going
 * offline (silent, with a retained `offline` status as the broker's will would publish),
 * low batteries, tamper events, clock skew, sensor-reported faults, contaminated smoke chambers.
 * Malformed payloads are injected by the engine at a
 * configurable rate. Every fault is written to the ground truth.
 */
import type { Device } from '../../gateway/src/contracts/site.ts';
import { deviceEvent, statusMessage } from '../core/encoders.ts';
import type { Rng } from '../core/rng.ts';
import { DAY_MS, HOUR_MS } from '../core/time.ts';
import type { Actor, SimContext, TruthRecord } from '../core/types.ts';

export type ScriptedFault =
  | { kind: 'offline'; device: string; at: number; endAt: number }
  | { kind: 'low_battery'; device: string; at: number; pct?: number }
  | { kind: 'tamper'; device: string; at: number }
  | { kind: 'clock_skew'; device: string; at: number; skewS: number }
  /** The device reports a fault of its own (a `fault` event), e.g. a failed smoke chamber. */
  | { kind: 'sensor_fault'; device: string; at: number }
  /** Dust or insects in a smoke sensor's chamber keep its reading at or above `dbM`. */
  | { kind: 'contamination'; device: string; at: number; endAt: number; dbM: number };

export interface RandomFaults {
  /** Offline episodes per device per 30 days (2–48 h each). */
  offlinePerDeviceMonth: number;
  /** Fraction of devices whose battery runs low during the run. */
  lowBatteryFraction: number;
  /** Tamper events per 30 days across the site. */
  tamperPerMonth: number;
  /** Fraction of devices whose clock is off by 30 s – 4 min (within the gateway's 300 s tolerance). */
  clockSkewFraction: number;
}

export const NO_RANDOM_FAULTS: RandomFaults = {
  offlinePerDeviceMonth: 0,
  lowBatteryFraction: 0,
  tamperPerMonth: 0,
  clockSkewFraction: 0,
};

/** "Keepalive × 1.5" before the broker would publish a silent device's will (60 s keepalive). */
const WILL_DELAY_MS = 90_000;
const MONTH_MS = 30 * DAY_MS;

export class FaultPlan {
  readonly offline = new Map<string, Array<[number, number]>>();
  readonly lowBattery = new Map<string, { at: number; pct: number }>();
  readonly skew = new Map<string, { at: number; skewMs: number }>();
  readonly tamper: Array<{ device: string; at: number }> = [];
  readonly sensorFaults: Array<{ device: string; at: number }> = [];
  readonly contamination = new Map<string, { at: number; endAt: number; dbM: number }>();

  constructor(
    devices: readonly Device[],
    scripted: readonly ScriptedFault[],
    random: RandomFaults,
    startMs: number,
    endMs: number,
    rng: Rng,
  ) {
    for (const f of scripted) this.add(f);
    const span = endMs - startMs;
    for (const d of devices) {
      const r = rng.fork(`faults/${d.id}`);
      const episodes = r.poisson((random.offlinePerDeviceMonth * span) / MONTH_MS);
      for (let i = 0; i < episodes; i++) {
        const at = Math.round(startMs + r.uniform(0, span));
        this.add({
          kind: 'offline',
          device: d.id,
          at,
          endAt: Math.min(endMs, at + r.uniform(2, 48) * HOUR_MS),
        });
      }
      if (r.chance(random.lowBatteryFraction))
        this.add({
          kind: 'low_battery',
          device: d.id,
          at: startMs + r.uniform(0, span),
          pct: r.uniform(3, 15),
        });
      if (r.chance(random.clockSkewFraction))
        this.add({
          kind: 'clock_skew',
          device: d.id,
          at: startMs,
          skewS: r.uniform(30, 240) * (r.chance(0.5) ? 1 : -1),
        });
    }
    // Tamper: cameras and meters that send canonical events (a vendor camera codec has no tamper type).
    const tamperable = devices.filter((d) => d.codec !== 'hikvision-isapi');
    const tampers = rng.fork('faults/tamper').poisson((random.tamperPerMonth * span) / MONTH_MS);
    const tr = rng.fork('faults/tamper-which');
    for (let i = 0; i < tampers && tamperable.length; i++)
      this.add({ kind: 'tamper', device: tr.pick(tamperable).id, at: startMs + tr.uniform(0, span) });
  }

  private add(f: ScriptedFault): void {
    switch (f.kind) {
      case 'offline': {
        const list = this.offline.get(f.device) ?? [];
        list.push([f.at, f.endAt]);
        this.offline.set(f.device, list);
        return;
      }
      case 'low_battery':
        this.lowBattery.set(f.device, { at: f.at, pct: f.pct ?? 8 });
        return;
      case 'clock_skew':
        this.skew.set(f.device, { at: f.at, skewMs: f.skewS * 1000 });
        return;
      case 'tamper':
        this.tamper.push({ device: f.device, at: f.at });
        return;
      case 'sensor_fault':
        this.sensorFaults.push({ device: f.device, at: f.at });
        return;
      case 'contamination':
        this.contamination.set(f.device, { at: f.at, endAt: f.endAt, dbM: f.dbM });
        return;
    }
  }

  isOffline(deviceId: string, t: number): boolean {
    return this.offline.get(deviceId)?.some(([a, b]) => t >= a && t < b) ?? false;
  }

  stamp(deviceId: string, t: number): number {
    const s = this.skew.get(deviceId);
    return s && t >= s.at ? t + s.skewMs : t;
  }

  battery(deviceId: string, t: number, natural: number): number {
    const low = this.lowBattery.get(deviceId);
    return low && t >= low.at ? Math.min(natural, low.pct) : natural;
  }

  smokeFloor(deviceId: string, t: number): number {
    const c = this.contamination.get(deviceId);
    return c && t >= c.at && t < c.endAt ? c.dbM : 0;
  }

  truths(): TruthRecord[] {
    const out: TruthRecord[] = [];
    for (const [deviceId, windows] of this.offline)
      for (const [a, b] of windows)
        out.push({
          class: 'fault',
          kind: 'device_offline',
          ts: Math.round(a),
          endTs: Math.round(b),
          deviceId,
        });
    for (const [deviceId, l] of this.lowBattery)
      out.push({
        class: 'fault',
        kind: 'low_battery',
        ts: Math.round(l.at),
        deviceId,
        details: { pct: Math.round(l.pct) },
      });
    for (const [deviceId, s] of this.skew)
      out.push({
        class: 'fault',
        kind: 'clock_skew',
        ts: Math.round(s.at),
        deviceId,
        details: { skewS: Math.round(s.skewMs / 1000) },
      });
    for (const t of this.tamper)
      out.push({ class: 'fault', kind: 'tamper', ts: Math.round(t.at), deviceId: t.device });
    for (const f of this.sensorFaults)
      out.push({ class: 'fault', kind: 'device_fault', ts: Math.round(f.at), deviceId: f.device });
    for (const [deviceId, c] of this.contamination)
      out.push({
        class: 'fault',
        kind: 'sensor_contamination',
        ts: Math.round(c.at),
        endTs: Math.round(c.endAt),
        deviceId,
        details: { dbM: c.dbM },
      });
    return out;
  }
}

/** Publishes status (online at the start, offline/online at fault edges), tamper and fault events. */
export class FaultActor implements Actor {
  readonly id = 'faults';
  nextAt: number;
  private readonly queue: Array<{
    at: number;
    deviceId: string;
    kind: 'offline' | 'online' | 'tamper' | 'fault';
  }>;

  constructor(
    private readonly ctx: SimContext,
    plan: FaultPlan,
    devices: readonly Device[],
    startMs: number,
  ) {
    // Every device announces itself online (retained) when the run starts.
    this.queue = devices.map((d) => ({ at: startMs, deviceId: d.id, kind: 'online' as const }));
    for (const [deviceId, windows] of plan.offline)
      for (const [a, b] of windows) {
        this.queue.push({ at: a + WILL_DELAY_MS, deviceId, kind: 'offline' });
        this.queue.push({ at: b, deviceId, kind: 'online' });
      }
    for (const t of plan.tamper) this.queue.push({ at: t.at, deviceId: t.device, kind: 'tamper' });
    for (const f of plan.sensorFaults) this.queue.push({ at: f.at, deviceId: f.device, kind: 'fault' });
    this.queue.sort((x, y) => x.at - y.at || x.deviceId.localeCompare(y.deviceId));
    this.nextAt = this.queue[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  step(now: number): void {
    while (this.queue.length && this.queue[0]!.at <= now) {
      const item = this.queue.shift()!;
      const device = this.ctx.device(item.deviceId);
      if (!device) continue;
      const wire =
        item.kind === 'tamper'
          ? deviceEvent(device, this.ctx.stamp(device.id, item.at), 'tamper', { source: 'enclosure' })
          : item.kind === 'fault'
            ? deviceEvent(device, this.ctx.stamp(device.id, item.at), 'fault', { source: 'sensor' })
            : statusMessage(device, item.kind);
      this.ctx.send({
        at: item.at,
        deviceId: device.id,
        ...wire,
        retain: item.kind === 'online' || item.kind === 'offline',
        qos: 1,
        ...(item.kind === 'offline' ? { exempt: true } : {}),
      });
    }
    this.nextAt = this.queue[0]?.at ?? Number.POSITIVE_INFINITY;
  }
}
