/**
 * A bike shed as one actor: its smoke/heat/gas sensors and its charging controller share one
 * physical state (air, ports, batteries, nuisances, runaways), stepped every 10 s. Sensors report
 * at their `reportIntervalS` (60 s in the example site) and every 10 s while any channel is above
 * a pre-alarm level, as alarm-capable NB-IoT sensors push alarms at once. The controller answers
 * `charging_power` commands on `weige/{id}/command`.
 */
import type { Device, Place } from '../../gateway/src/contracts/site.ts';
import { chargerReading, smokeReading } from '../core/encoders.ts';
import type { Rng } from '../core/rng.ts';
import { DAY_MS, HOUR_MS, localHour, localMidnight } from '../core/time.ts';
import type { Actor, ChargingCommand, CommandOutcome, SimContext } from '../core/types.ts';
import { dayWeather, humidityPct, shedAirTempC, type DayWeather } from './ambient.ts';
import { arrivalRatePerHour, ChargingPort } from './charging-port.ts';
import { drawNuisance, nuisanceAt, type Nuisance } from './nuisance.ts';
import { ThermalRunaway } from './runaway.ts';

const STEP_MS = 10_000;
const ALARM_REPORT_MS = 10_000;
/** Charging load warms the shed air: 4 kW of chargers ≈ +2 K in a ventilated shed [assumption]. */
const AIR_K_PER_W = 0.0005;

export interface RunawayIncident {
  at: number;
  /** Port number (1-based); default drawn. */
  port?: number;
  /**
   * Charged from a private extension lead (飞线充电) instead of a port: the sensors see it, the
   * controller does not, and no cut-off reaches it.
   */
  privateLead?: boolean;
}

interface SensorState {
  device: Device;
  /** How strongly the runaway reaches this sensor (1 = over the charger bank). */
  exposure: number;
  lastReport: number;
  batteryPct: number;
  offset: { smoke: number; temp: number };
}

export class ShedActor implements Actor {
  readonly id: string;
  readonly commandDevices: string[];
  nextAt: number;
  private readonly rng: Rng;
  private readonly sensors: SensorState[];
  private readonly ports: ChargingPort[];
  /** `port` null: on a private lead. */
  private readonly runaways: Array<{ port: number | null; model: ThermalRunaway }> = [];
  private nuisances: Nuisance[] = [];
  private plannedDay = -1;
  private weather: DayWeather | null = null;
  private weatherDay = -1;
  private nextChargerReport: number;

  constructor(
    private readonly ctx: SimContext,
    readonly place: Place,
    sensors: Device[],
    private readonly charger: Device | null,
    incidents: RunawayIncident[],
  ) {
    this.id = `shed/${place.id}`;
    this.rng = ctx.rng.fork(this.id);
    this.commandDevices = charger ? [charger.id] : [];
    const n = charger?.ports ?? 0;
    this.ports = Array.from({ length: n }, (_, i) => new ChargingPort(i + 1, this.rng.fork(`port/${i + 1}`)));
    this.sensors = sensors.map((device, i) => ({
      device,
      exposure: device.tags?.includes('second_sensor') ? 1 : 0.7,
      // Spread the sensors' report phases over their interval.
      lastReport: ctx.startMs - this.rng.uniform(0, (device.reportIntervalS ?? 60) * 1000),
      batteryPct: this.rng.uniform(60, 100),
      offset: { smoke: this.rng.uniform(0.003, 0.015), temp: i * 0.3 + this.rng.uniform(-0.3, 0.3) },
    }));
    this.nextChargerReport = ctx.startMs + this.rng.uniform(0, (charger?.reportIntervalS ?? 60) * 1000);
    // Ports already in use when the run starts: last night's charges.
    for (const p of this.ports)
      if (this.rng.chance(0.3)) p.plugIn(ctx.startMs - this.rng.uniform(0.5, 6) * HOUR_MS);
    for (const inc of incidents) this.addRunaway(inc);
    this.nextAt = ctx.startMs;
  }

  step(now: number): void {
    this.planDay(now);
    const weather = this.weatherAt(now);
    const baseAir = shedAirTempC(now, weather);
    // Plug-ins: Poisson arrivals at idle ports.
    const lambda = (arrivalRatePerHour(localHour(now)) * STEP_MS) / HOUR_MS;
    let chargingW = 0;
    let h2 = 0;
    for (const p of this.ports) {
      if (!p.busy && this.rng.chance(lambda)) p.plugIn(now);
      h2 += p.step(now, STEP_MS / 1000, baseAir).h2Ppm;
      chargingW += p.watts;
    }
    const air = baseAir + AIR_K_PER_W * chargingW;
    const runaway = this.runawayOutput(now);
    for (const s of this.sensors) {
      const values = this.sensorValues(s, now, air, h2, runaway, weather);
      const alarm = values.smoke_db_m > 0.1 || values.co_ppm > 30 || values.h2_ppm > 20 || values.temp_c > 55;
      const sinceMs = now - s.lastReport;
      if (sinceMs >= (s.device.reportIntervalS ?? 60) * 1000 || (alarm && sinceMs >= ALARM_REPORT_MS)) {
        const wire = smokeReading(s.device, this.ctx.stamp(s.device.id, now), values);
        this.ctx.send({ at: now + this.rng.uniform(200, 2000), deviceId: s.device.id, ...wire });
        s.lastReport = now;
      }
    }
    if (this.charger && now >= this.nextChargerReport) {
      const reports = this.ports.map((p) => p.report(runaway.get(p.port)?.portRiseK ?? 0));
      const wire = chargerReading(this.charger, this.ctx.stamp(this.charger.id, now), reports, air + 3);
      this.ctx.send({ at: now + this.rng.uniform(200, 1500), deviceId: this.charger.id, ...wire });
      this.nextChargerReport = now + (this.charger.reportIntervalS ?? 60) * 1000;
    }
    this.nextAt = now + STEP_MS;
  }

  command(deviceId: string, command: ChargingCommand, now: number): CommandOutcome {
    if (command.name !== 'charging_power') return { ok: false, error: `unknown command '${command.name}'` };
    const on = command.args?.on;
    if (typeof on !== 'boolean') return { ok: false, error: 'args.on must be true or false' };
    const port = command.args?.port;
    const targets = port === undefined ? this.ports : this.ports.filter((p) => p.port === port);
    if (targets.length === 0) return { ok: false, error: `no port ${String(port)} on ${deviceId}` };
    for (const p of targets) {
      p.powerOn = on;
      if (!on)
        for (const r of this.runaways)
          if (r.port === p.port && now >= r.model.timeline.onsetMs && r.model.powerCutAt === null) {
            const stopped = r.model.cutPower(now);
            this.ctx.truth({
              class: 'context',
              kind: 'charging_power_cut',
              ts: now,
              deviceId,
              place: this.place.id,
              port: p.port,
              details: { stoppedRunaway: stopped, phaseAtCut: r.model.phaseAt(now - 1) },
            });
          }
    }
    return { ok: true };
  }

  private addRunaway(inc: RunawayIncident): void {
    let port: number | null = null;
    let model: ThermalRunaway;
    if (inc.privateLead) model = new ThermalRunaway(inc.at, this.rng.fork(`runaway/${inc.at}/lead`));
    else {
      if (!this.charger || this.ports.length === 0) return;
      port = inc.port ?? this.rng.int(1, this.ports.length);
      model = new ThermalRunaway(inc.at, this.rng.fork(`runaway/${inc.at}/${port}`));
      // The faulty lithium pack was plugged in 0.5–2 h before it starts to run away.
      const plugAt = Math.max(this.ctx.startMs, inc.at - this.rng.uniform(0.5, 2) * HOUR_MS);
      this.ports[port - 1]!.plugIn(plugAt, { chemistry: 'lithium', runaway: model });
    }
    this.runaways.push({ port, model });
    const tl = model.timeline;
    this.ctx.truth({
      class: 'incident',
      kind: 'thermal_runaway',
      ts: tl.onsetMs,
      ...(this.charger ? { deviceId: this.charger.id } : {}),
      place: this.place.id,
      ...(port !== null ? { port } : {}),
      details: {
        milestones: Object.fromEntries(
          Object.entries({
            offGas: tl.offGasMs,
            co: tl.coMs,
            smoke: tl.smokeMs,
            flame: tl.flameMs,
            extinguished: tl.extinguishedMs,
          }).map(([k, v]) => [k, Math.round(v)]),
        ),
        note:
          port === null
            ? 'charged from a private lead: no cut-off reaches it'
            : 'cutting this port before `smoke` stops the runaway',
      },
    });
  }

  private runawayOutput(now: number): Map<number | null, ReturnType<ThermalRunaway['at']>> {
    const out = new Map<number | null, ReturnType<ThermalRunaway['at']>>();
    for (const r of this.runaways) if (now >= r.model.timeline.onsetMs) out.set(r.port, r.model.at(now));
    return out;
  }

  private sensorValues(
    s: SensorState,
    now: number,
    air: number,
    h2Ports: number,
    runaway: Map<number | null, ReturnType<ThermalRunaway['at']>>,
    weather: DayWeather,
  ): {
    smoke_db_m: number;
    temp_c: number;
    co_ppm: number;
    h2_ppm: number;
    humidity_pct: number;
    battery_pct: number;
  } {
    const index = this.sensors.indexOf(s);
    let smoke = s.offset.smoke + Math.abs(this.rng.normal(0, 0.003));
    let temp = air + s.offset.temp + this.rng.normal(0, 0.15);
    let co = Math.max(0, this.rng.normal(1, 0.7));
    let h2 = Math.max(0, h2Ports + this.rng.normal(0.3, 0.4));
    let humidity = humidityPct(now, weather) + this.rng.normal(0, 1.5);
    for (const n of this.nuisances) {
      const c = nuisanceAt(n, index, now);
      smoke += c.smoke;
      co += c.co;
      h2 += c.h2;
      humidity += c.humidity;
    }
    for (const r of runaway.values()) {
      smoke += r.smokeDbM * s.exposure;
      temp += r.airRiseK * s.exposure;
      co += r.coPpm * s.exposure;
      h2 += r.h2Ppm * s.exposure;
    }
    const days = (now - this.ctx.startMs) / DAY_MS;
    return {
      // Dust or insects in the optical chamber hold the reading up (FIELD-NOTES §3.4).
      smoke_db_m: Math.min(
        30,
        Math.max(0, smoke, this.ctx.smokeFloor(s.device.id, now) + Math.abs(this.rng.normal(0, 0.005))),
      ),
      temp_c: temp,
      co_ppm: Math.max(0, co),
      h2_ppm: Math.max(0, h2),
      humidity_pct: Math.min(100, Math.max(5, humidity)),
      battery_pct: this.ctx.battery(s.device.id, now, Math.max(1, s.batteryPct - days * 0.05)),
    };
  }

  /** Draws the day's nuisances once per local day and records them in the truth. */
  private planDay(now: number): void {
    const day = localMidnight(now);
    if (day === this.plannedDay) return;
    this.plannedDay = day;
    const rng = this.rng.fork(`nuisance/${day}`);
    this.nuisances = this.nuisances.filter((n) => n.start + n.durationS * 1500 > now);
    const count = rng.poisson(this.ctx.noise.nuisancePerShedDay);
    for (let i = 0; i < count; i++) {
      const n = drawNuisance(rng, day, this.sensors.length);
      if (n.start < this.ctx.startMs || n.start > this.ctx.endMs) continue;
      this.nuisances.push(n);
      const sensor = this.sensors[n.sensor]?.device.id;
      this.ctx.truth({
        class: 'nuisance',
        kind: n.cause,
        ts: Math.round(n.start),
        endTs: Math.round(n.start + n.durationS * 1000),
        place: this.place.id,
        ...(sensor ? { deviceId: sensor } : {}),
        details: { smokeDbM: round(n.smokeDbM), coPpm: round(n.coPpm), h2Ppm: round(n.h2Ppm) },
      });
    }
  }

  private weatherAt(now: number): DayWeather {
    const day = localMidnight(now);
    if (day !== this.weatherDay || !this.weather) {
      this.weather = dayWeather(this.ctx.rng, now, this.ctx.noise.rainDayProbability);
      this.weatherDay = day;
    }
    return this.weather;
  }
}

const round = (v: number): number => Math.round(v * 1000) / 1000;
