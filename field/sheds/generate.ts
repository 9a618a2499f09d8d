/**
 * Bike-shed scenes: every sensor and charging controller of the site's sheds, once a minute,
 * through days of charging, nuisances and weather, with thermal runaways on the published
 * timeline. Each sensor speaks its own codec's format (canonical, CTWing, Weilai).
 */
import type { Device, Site } from '../../gateway/src/contracts/site.ts';
import { Rng } from '../rng.ts';
import { openScene, type NuisanceTruth, type Scene, type SceneMessage, type SceneSpan } from '../scene.ts';
import { bikeSheds, type Shed } from '../site.ts';
import { DAY_MS, HOUR_MS, isoLocal, MINUTE_MS, SECOND_MS } from '../time.ts';
import {
  addAir,
  ambient,
  drawFlaws,
  drawWeather,
  plumeAt,
  roofHeatK,
  sense,
  type Air,
  type Plume,
  type Weather,
} from './air.ts';
import { drawSession, drawSessions, portAt, sessionAt, type Session } from './charging.ts';
import { planRunaway, runawayAir, runawayPortHeatK, type RunawayPlan } from './runaway.ts';

export interface ShedOptions {
  /** Runaways per shed-day (oversampled: real runaways are rare; at least one per scene). */
  runawaysPerShedDay: number;
}

export const DEFAULT_SHED_OPTIONS: ShedOptions = { runawaysPerShedDay: 0.25 };

interface Nuisance extends Plume {
  cause: string;
  port: number | null;
}

export function generateSheds(site: Site, span: SceneSpan, opts = DEFAULT_SHED_OPTIONS): Scene {
  const { seed, startMs, days } = span;
  const rng = new Rng(seed);
  const endMs = startMs + days * DAY_MS;
  const sheds = bikeSheds(site);
  const weather = drawWeather(rng.fork('weather'), days);
  const scene = openScene(
    'sheds',
    span,
    sheds.map((s) => s.id),
  );
  const picks = rng.fork('runaways');
  const runawayDays = new Map<string, Set<number>>(sheds.map((s) => [s.id, new Set<number>()]));
  const count = Math.max(1, Math.round(opts.runawaysPerShedDay * days * sheds.length));
  for (let n = 0; n < count * 4 && [...runawayDays.values()].reduce((a, s) => a + s.size, 0) < count; n++) {
    const days_ = runawayDays.get(picks.pick(sheds).id)!;
    const day = picks.int(0, days - 1);
    if (![day - 1, day, day + 1].some((d) => days_.has(d))) days_.add(day);
  }
  for (const shed of sheds)
    shedScene(rng.fork(shed.id), shed, weather, startMs, days, [...runawayDays.get(shed.id)!], scene);
  scene.messages = scene.messages.filter((m) => m.ts >= startMs && m.ts < endMs);
  scene.truth = scene.truth.filter((t) => t.ts < endMs);
  return scene;
}

function shedScene(
  r: Rng,
  shed: Shed,
  weather: Weather,
  startMs: number,
  days: number,
  runawayDays: number[],
  scene: Scene,
): void {
  const ports = shed.charger.ports ?? 20;
  const sessions = drawSessions(
    r,
    ports,
    startMs - DAY_MS,
    days + 1,
    r.uniform(0.6, 0.85),
    r.uniform(0.3, 0.8),
  );
  const runaways: RunawayPlan[] = runawayDays.map((day) => {
    const port = r.int(1, ports);
    // Evening and night charging, 18:00–03:00 (ending by 23:00 on the scene's last day).
    const h2Ts = startMs + day * DAY_MS + r.uniform(18, day === days - 1 ? 23 : 27) * HOUR_MS;
    const plan = planRunaway(r, shed.id, shed.charger.id, port, h2Ts);
    // The pack that runs away is a lithium pack, plugged in 1–5 h before and never reported full.
    const own = sessions[port - 1]!.filter(
      (s) => s.unplugTs < h2Ts - 10 * HOUR_MS || s.plugTs > plan.silentEndTs,
    );
    const session = drawSession(r, port, h2Ts - r.uniform(1, 5) * HOUR_MS, 'lithium');
    own.push({ ...session, fullTs: plan.silentEndTs, unplugTs: plan.silentEndTs, gassing: null });
    sessions[port - 1] = own.sort((a, b) => a.plugTs - b.plugTs);
    return plan;
  });
  const quiet = (ts: number, endTs: number): boolean =>
    runaways.every((p) => endTs < p.truth.ts - HOUR_MS || ts > p.silentEndTs);
  const nuisances = drawNuisances(r, weather, sessions, startMs, days).filter((n) => quiet(n.ts, n.endTs));
  scene.truth.push(...runaways.map((p) => p.truth));
  scene.truth.push(
    ...nuisances.map((n): NuisanceTruth => ({
      danger: 'sheds',
      kind: 'nuisance',
      id: `${n.cause}-${shed.id}-${n.ts}`,
      ts: n.ts,
      endTs: n.endTs,
      shed: shed.id,
      cause: n.cause,
      port: n.port,
    })),
  );
  const sensors = [shed.smoke, ...shed.others].map((device) => ({
    device,
    flaws: drawFlaws(r),
    offsetMs: r.uniform(0, 60) * SECOND_MS,
    loss: r.uniform(0, 0.02),
    battery: r.uniform(60, 100),
  }));
  const chargerOffsetMs = r.uniform(0, 60) * SECOND_MS;
  const chargerLoss = r.uniform(0, 0.02);
  for (let minute = startMs; minute < startMs + days * DAY_MS; minute += MINUTE_MS) {
    if (runaways.some((p) => minute >= p.silentTs && minute < p.silentEndTs)) continue;
    const daysIn = (minute - startMs) / DAY_MS;
    for (const s of sensors) {
      const t = Math.round(minute + s.offsetMs + r.uniform(-2, 2) * SECOND_MS);
      if (r.chance(s.loss)) continue;
      const air = airAt(weather, startMs, nuisances, runaways, t);
      s.battery = Math.max(0, s.battery - 0.0001);
      scene.messages.push(
        sensorMessage(s.device, s.device === shed.smoke, sense(r, s.flaws, air, daysIn), t, s.battery),
      );
    }
    const t = Math.round(minute + chargerOffsetMs + r.uniform(-2, 2) * SECOND_MS);
    if (!r.chance(chargerLoss))
      scene.messages.push(
        chargerMessage(r, shed.charger, sessions, runaways, ambient(weather, startMs, t).tempC, t),
      );
  }
}

function airAt(
  weather: Weather,
  startMs: number,
  nuisances: Nuisance[],
  runaways: RunawayPlan[],
  t: number,
): Air {
  const amb = ambient(weather, startMs, t);
  const air: Air = {
    smokeDbM: 0,
    tempC: amb.tempC,
    coPpm: 0,
    h2Ppm: 0,
    vocPpm: 0,
    humidityPct: amb.humidityPct,
  };
  for (const n of nuisances) {
    const share = plumeAt(n, t);
    if (share > 0) addAir(air, n.peak, share);
  }
  for (const p of runaways) addAir(air, runawayAir(p, t), 1);
  return air;
}

function drawNuisances(
  r: Rng,
  weather: Weather,
  sessions: Session[][],
  startMs: number,
  days: number,
): Nuisance[] {
  const out: Nuisance[] = [];
  const cookingShare = r.uniform(0.1, 0.5);
  const exhaustPerDay = r.uniform(0, 5);
  const smokesPerDay = r.uniform(0, 4);
  const dustPerDay = r.uniform(0, 0.5);
  const insectsPerDay = r.uniform(0, 0.3);
  const add = (
    cause: string,
    ts: number,
    minutes: number,
    peak: Partial<Air>,
    port: number | null = null,
  ): void => {
    out.push({ cause, ts: Math.round(ts), endTs: Math.round(ts + minutes * MINUTE_MS), peak, port });
  };
  for (let d = 0; d < days; d++) {
    const day = startMs + d * DAY_MS;
    const at = (lo: number, hi: number): number => day + r.uniform(lo, hi) * HOUR_MS;
    if (r.chance(cookingShare))
      add('cooking', at(17, 20), r.uniform(10, 60), {
        smokeDbM: r.uniform(0.05, 0.6),
        coPpm: r.uniform(5, 40),
        vocPpm: r.uniform(1, 5),
        tempC: r.uniform(0, 3),
      });
    for (let n = r.poisson(exhaustPerDay); n > 0; n--)
      add('exhaust', at(6, 23), r.uniform(1, 5), {
        coPpm: r.uniform(10, 150),
        vocPpm: r.uniform(1, 10),
        h2Ppm: r.uniform(0, 20),
      });
    for (let n = r.poisson(smokesPerDay); n > 0; n--)
      add('cigarette', at(7, 24), r.uniform(3, 8), {
        smokeDbM: r.uniform(0.02, 0.3),
        coPpm: r.uniform(2, 15),
      });
    for (let n = r.poisson(dustPerDay); n > 0; n--)
      add('dust', at(6, 10), r.uniform(1, 5), { smokeDbM: r.uniform(0.1, 1) });
    for (let n = r.poisson(insectsPerDay); n > 0; n--)
      add('insect', at(0, 24), r.uniform(1, 3), { smokeDbM: r.uniform(0.2, 2) });
    if (weather.foggy[d]) add('fog', day - 2 * HOUR_MS, 10 * HOUR_MS, { smokeDbM: r.uniform(0.02, 0.15) });
    const roof = weather.sunny[d] ? roofHeatK(r, weather, day) : null;
    if (roof) add('sun_roof', roof.ts, (roof.endTs - roof.ts) / MINUTE_MS, roof.peak);
  }
  for (const s of sessions.flat()) {
    if (s.gassing)
      add(
        'lead_acid_h2',
        s.gassing[0],
        (s.gassing[1] - s.gassing[0]) / MINUTE_MS,
        { h2Ppm: s.gassing[2] },
        s.port,
      );
  }
  return out.filter((n) => n.endTs > startMs);
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

function sensorMessage(device: Device, full: boolean, a: Air, t: number, battery: number): SceneMessage {
  const topic = `weige/${device.id}/telemetry`;
  if (device.codec === 'ctwing-smoke') {
    // CTWing reports obscuration in %/m: p = 100·(1 − 10^(−dB/10)).
    const serviceData = {
      smoke_obscuration: round(100 * (1 - 10 ** (-a.smokeDbM / 10)), 3),
      temperature: round(a.tempC, 1),
      co: round(a.coPpm, 1),
      h2: round(a.h2Ppm, 1),
      humidity: round(a.humidityPct, 0),
      battery_value: Math.round(battery),
    };
    return {
      ts: t,
      topic,
      payload: JSON.stringify({
        deviceId: device.id,
        timestamp: t,
        messageType: 'dataReport',
        payload: { serviceData },
      }),
    };
  }
  const payload = full
    ? {
        ts: t,
        smoke_db_m: round(a.smokeDbM, 3),
        temp_c: round(a.tempC, 1),
        co_ppm: round(a.coPpm, 1),
        h2_ppm: round(a.h2Ppm, 1),
        voc_ppm: round(a.vocPpm, 1),
        humidity_pct: round(a.humidityPct, 0),
        battery_pct: Math.round(battery),
      }
    : { ts: t, temp_c: round(a.tempC, 1), co_ppm: round(a.coPpm, 1), battery_pct: Math.round(battery) };
  return { ts: t, topic, payload: JSON.stringify(payload) };
}

function chargerMessage(
  r: Rng,
  charger: Device,
  sessions: Session[][],
  runaways: RunawayPlan[],
  airC: number,
  t: number,
): SceneMessage {
  const ports = sessions.map((own, i) => {
    const port = i + 1;
    const reading = portAt(sessionAt(own, t), t);
    const plan = runaways.find(
      (p) => p.truth.port === port && t >= p.truth.ts - HOUR_MS && t < p.silentEndTs,
    );
    let { voltageV, currentA, state } = reading;
    if (plan && t >= plan.truth.smokeTs) voltageV *= 0.85; // cells shorting inside the pack
    if (plan?.faultTs !== undefined && plan.faultTs !== null && t >= plan.faultTs) state = 'fault';
    if (plan && state === 'charging') currentA = Math.max(currentA, 1);
    const tempC = airC + reading.heatK + (plan ? runawayPortHeatK(plan, t) : 0) + r.normal(0, 0.3);
    return {
      port,
      state,
      power_w: round((voltageV * currentA) / 0.85, 1),
      voltage_v: round(voltageV, 1),
      current_a: round(currentA, 2),
      temp_c: round(tempC, 1),
    };
  });
  const topic = `weige/${charger.id}/telemetry`;
  if (charger.codec === 'weilai-charger') {
    const codes = { idle: 0, charging: 1, full: 2, fault: 3, off: 4 } as const;
    const p = ports.map((x) => ({
      no: x.port,
      st: codes[x.state],
      pw: Math.round(x.power_w),
      v: Math.round(x.voltage_v * 10),
      i: Math.round(x.current_a * 10),
      tmp: Math.round(x.temp_c * 10),
    }));
    return { ts: t, topic, payload: JSON.stringify({ sn: charger.id, t: Math.floor(t / 1000), p }) };
  }
  return { ts: t, topic, payload: JSON.stringify({ ts: isoLocal(t), ports, temp_c: round(airC, 1) }) };
}
