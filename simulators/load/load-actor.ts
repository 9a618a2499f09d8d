/**
 * Load mode for benchmarks: N devices sending telemetry at a target total rate, round-robin,
 * each message in its device's own wire format (water registers that only go up with event time,
 * shed sensor readings, charger reports). With `synthetic`, ids are `load-00001`… (canonical water
 * meters) and must be registered first (POST /api/devices); otherwise the site's devices are used.
 */
import type { Device } from '../../gateway/src/contracts/site.ts';
import { chargerReading, smokeReading, waterBatch, waterReading } from '../core/encoders.ts';
import type { Actor, SimContext } from '../core/types.ts';

/** Messages are produced in slices of this many ms of simulated time. */
const SLICE_MS = 10;

export function syntheticLoadDevices(n: number): Device[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `load-${String(i + 1).padStart(5, '0')}`,
    kind: 'water_meter' as const,
    codec: 'canonical',
    reportIntervalS: 3600,
  }));
}

export class LoadActor implements Actor {
  readonly id = 'load';
  nextAt: number;
  private readonly lastTs: number[];
  private sent = 0;
  private readonly intervalMs: number;

  constructor(
    private readonly ctx: SimContext,
    private readonly devices: Device[],
    rate: number,
  ) {
    this.intervalMs = 1000 / rate;
    this.lastTs = devices.map(() => Number.NEGATIVE_INFINITY);
    this.nextAt = ctx.startMs;
  }

  step(now: number): void {
    const until = now + SLICE_MS;
    for (
      let at = this.ctx.startMs + this.sent * this.intervalMs;
      at < until;
      at = this.ctx.startMs + this.sent * this.intervalMs
    ) {
      const i = this.pick(this.sent % this.devices.length, at);
      const d = this.devices[i]!;
      const ts = stampFor(d, at);
      this.lastTs[i] = ts;
      // The register is a function of event time (1 L a minute, ≈ 29 900 m³ in 2026): it never runs
      // backwards against what earlier runs stored, whatever the rate.
      const registerL = Math.floor(ts / 60_000) + i;
      const wire =
        d.kind === 'smoke_sensor'
          ? smokeReading(d, ts, {
              smoke_db_m: 0.01,
              temp_c: 20 + (this.sent % 5),
              co_ppm: 1,
              h2_ppm: 0,
              humidity_pct: 60,
              battery_pct: 90,
            })
          : d.kind === 'charging_controller'
            ? chargerReading(
                d,
                ts,
                [{ port: 1, state: 'charging', power_w: 180, voltage_v: 54, current_a: 3.3, temp_c: 30 }],
                22,
              )
            : d.codec === 'sanchuan-nbiot'
              ? waterBatch(d, ts, 60, [registerL], 90)
              : waterReading(d, ts, registerL, 90);
      this.ctx.send({ at, deviceId: d.id, ...wire, qos: 0 });
      this.sent++;
    }
    this.nextAt = until;
  }

  /**
   * Round-robin, except that a device never stamps the same time twice (the gateway de-duplicates
   * on device + time, and stamping ahead would drift into the future): a device that already sent
   * in this second (whole-second formats) or millisecond passes its turn to the next one that can.
   */
  private pick(turn: number, at: number): number {
    for (let k = 0; k < this.devices.length; k++) {
      const i = (turn + k) % this.devices.length;
      if (stampFor(this.devices[i]!, at) > this.lastTs[i]!) return i;
    }
    return turn;
  }
}

/** The device's timestamp for a send at `at`: whole seconds in two vendor formats, else ms. */
function stampFor(d: Device, at: number): number {
  return d.codec === 'sanchuan-nbiot' || d.codec === 'weilai-charger'
    ? Math.floor(at / 1000) * 1000
    : Math.floor(at);
}

/** Devices a load run can drive from the site: meters, shed sensors and chargers (cameras are event-driven). */
export function loadableSiteDevices(devices: readonly Device[]): Device[] {
  return devices.filter(
    (d) => d.kind === 'water_meter' || d.kind === 'smoke_sensor' || d.kind === 'charging_controller',
  );
}
