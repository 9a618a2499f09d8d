/**
 * Builds a runnable simulation from a site and a scenario: resolves times ('end-at-now' etc.),
 * picks targets for 'auto' and random incidents, creates the actors and the fault plan.
 *
 *   const sim = createSimulation({ site: 'sites/chunjiang.yaml', scenario: 'simulators/scenarios/shed-fire.yaml' });
 *   for (const m of sim.engine.messages()) handle(m.topic, m.payload, m.at);
 *   sim.engine.truthRecords; // what was injected
 */
import type { Device, Household, Place, Site } from '../gateway/src/contracts/site.ts';
import { loadSiteFile } from '../gateway/src/site/site-loader.ts';
import { FacadeCameraActor, type ThrowIncident } from './camera/camera-actor.ts';
import type { ObjectClassName } from './camera/fall.ts';
import { SimulationEngine } from './core/engine.ts';
import { Rng } from './core/rng.ts';
import { parseDuration } from './core/time.ts';
import type { Actor, NoiseSettings, TruthRecord } from './core/types.ts';
import { FaultActor, FaultPlan, NO_RANDOM_FAULTS, type ScriptedFault } from './faults/faults.ts';
import { LoadActor, loadableSiteDevices, syntheticLoadDevices } from './load/load-actor.ts';
import { PlaceCameraActor, type PlaceIncident } from './places/place-camera.ts';
import { loadScenarioFile } from './scenario/load.ts';
import type { RandomIncidentKind, Scenario, ScenarioIncident } from './scenario/types.ts';
import { ShedActor, type RunawayIncident } from './shed/shed.ts';
import { WaterMeterActor, type Absence, type WaterIncident } from './water/meter.ts';

export const DEFAULT_NOISE: NoiseSettings = {
  lostRate: 0.005,
  lateRate: 0.02,
  malformedRate: 0,
  droppedFrameRate: 0.03,
  detectorNoisePx: 1,
  nuisancePerShedDay: 4,
  distractorScale: 1,
  rainDayProbability: 0.3,
  placeEventScale: 1,
};

export interface SimulationInput {
  /** Site file path or a loaded site. */
  site: string | Site;
  /** Scenario file path or a parsed scenario. */
  scenario: string | Scenario;
  /** "Now" for resolving the start, epoch ms (default Date.now()). */
  now?: number;
  /** Overrides of the scenario's seed and start. */
  seed?: string | number;
  start?: string;
  onTruth?: (record: TruthRecord) => void;
}

export interface Simulation {
  engine: SimulationEngine;
  scenario: Scenario;
  site: Site;
  startMs: number;
  endMs: number;
  speed: number | 'fast';
  /** For 'now-<duration>' starts: messages up to this time are back-fill, sent at once. */
  liveFromMs: number | null;
}

export function resolveStart(
  start: string,
  durationMs: number,
  now: number,
): { startMs: number; liveFromMs: number | null } {
  if (start === 'end-at-now') return { startMs: now - durationMs, liveFromMs: null };
  if (start === 'now') return { startMs: now, liveFromMs: now };
  const rel = /^now-(.+)$/.exec(start);
  if (rel) return { startMs: now - parseDuration(rel[1]!)!, liveFromMs: now };
  return { startMs: Date.parse(start), liveFromMs: null };
}

export function createSimulation(input: SimulationInput): Simulation {
  const site = typeof input.site === 'string' ? loadSiteFile(input.site) : input.site;
  const scenario =
    typeof input.scenario === 'string' ? loadScenarioFile(input.scenario, site) : input.scenario;
  const now = input.now ?? Date.now();
  const durationMs = parseDuration(scenario.duration)!;
  const { startMs, liveFromMs } = resolveStart(
    input.start ?? scenario.start ?? 'end-at-now',
    durationMs,
    now,
  );
  const endMs = startMs + durationMs;
  const seed = input.seed ?? scenario.seed ?? 1;
  const noise: NoiseSettings = { ...DEFAULT_NOISE, ...scenario.noise };
  const root = new Rng(`scenario/${seed}`);
  const scripted = scriptedFaults(scenario, startMs);
  const targets = resolveIncidents(site, scenario, startMs, endMs, root.fork('incidents'));
  const builders = scenario.load ? [] : actorBuilders(site, scenario, targets, root);
  const active = builders.flatMap((b) => b.devices);
  const plan = new FaultPlan(
    active,
    scripted,
    { ...NO_RANDOM_FAULTS, ...scenario.faults?.random },
    startMs,
    endMs,
    root,
  );
  const engine = new SimulationEngine({
    site,
    seed,
    startMs,
    endMs,
    noise,
    faults: plan,
    ...(input.onTruth ? { onTruth: input.onTruth } : {}),
  });
  engine.truth({
    class: 'context',
    kind: 'run',
    ts: startMs,
    endTs: endMs,
    details: { scenario: scenario.name, seed, site: site.id },
  });
  const speed = scenario.speed ?? 3600;
  if (scenario.load) {
    const pool = scenario.load.synthetic
      ? syntheticLoadDevices(scenario.load.devices)
      : loadableSiteDevices(site.devices);
    if (pool.length < scenario.load.devices)
      throw new RangeError(
        `load: the site has ${pool.length} loadable devices, ${scenario.load.devices} asked; use 'synthetic: true' (and register them)`,
      );
    engine.addActor(new LoadActor(engine, pool.slice(0, scenario.load.devices), scenario.load.rate));
    return { engine, scenario, site, startMs, endMs, speed, liveFromMs };
  }
  for (const r of plan.truths()) engine.truth(r);
  for (const b of builders) engine.addActor(b.build(engine));
  engine.addActor(new FaultActor(engine, plan, active, startMs));
  return { engine, scenario, site, startMs, endMs, speed, liveFromMs };
}

/** The scenario's scripted faults on the run's clock. */
function scriptedFaults(scenario: Scenario, startMs: number): ScriptedFault[] {
  return (scenario.faults?.scripted ?? []).map((f) => {
    const at = startMs + parseDuration(f.at)!;
    switch (f.kind) {
      case 'offline':
        return { kind: 'offline', device: f.device, at, endAt: at + parseDuration(f.for!)! };
      case 'low_battery':
        return { kind: 'low_battery', device: f.device, at, ...(f.pct !== undefined ? { pct: f.pct } : {}) };
      case 'tamper':
        return { kind: 'tamper', device: f.device, at };
      case 'clock_skew':
        return { kind: 'clock_skew', device: f.device, at, skewS: f.skewS ?? 120 };
      case 'sensor_fault':
        return { kind: 'sensor_fault', device: f.device, at };
      case 'contamination':
        return {
          kind: 'contamination',
          device: f.device,
          at,
          endAt: at + parseDuration(f.for ?? '8h')!,
          dbM: f.dbM ?? 0.09,
        };
    }
  });
}

interface ActorBuilder {
  /** Devices the actor speaks for (they announce themselves and may get random faults). */
  devices: Device[];
  build(engine: SimulationEngine): Actor;
}

/** One builder per actor the scenario's models call for. */
function actorBuilders(site: Site, scenario: Scenario, targets: Targets, root: Rng): ActorBuilder[] {
  const devices = site.devices;
  const models = scenario.models ?? {};
  const out: ActorBuilder[] = [];
  if (models.water !== false)
    for (const h of selectHouseholds(site, scenario, targets, root.fork('households'))) {
      const meter = devices.find((d) => d.kind === 'water_meter' && d.household === h.id);
      if (meter)
        out.push({
          devices: [meter],
          build: (e) =>
            new WaterMeterActor(e, meter, h, targets.water.get(h.id) ?? [], targets.absences.get(h.id) ?? []),
        });
    }
  if (models.sheds !== false)
    for (const p of site.places.filter((x) => x.kind === 'bike_shed')) {
      const here = devices.filter((d) => d.place === p.id);
      const sensors = here.filter((d) => d.kind === 'smoke_sensor');
      const charger = here.find((d) => d.kind === 'charging_controller') ?? null;
      out.push({
        devices: charger ? [...sensors, charger] : sensors,
        build: (e) => new ShedActor(e, p, sensors, charger, targets.runaways.get(p.id) ?? []),
      });
    }
  if (models.cameras !== false)
    for (const cam of facadeCameras(site)) {
      const building = site.buildings.find((b) => b.id === cam.building)!;
      out.push({
        devices: [cam],
        build: (e) => new FacadeCameraActor(e, cam, building, targets.throws.get(cam.id) ?? []),
      });
    }
  if (models.places !== false)
    for (const p of site.places.filter((x) => x.kind === 'garbage_room' || x.kind === 'fire_lane')) {
      const cam = devices.find((d) => d.kind === 'camera' && d.place === p.id);
      if (cam)
        out.push({
          devices: [cam],
          build: (e) => new PlaceCameraActor(e, cam, p, targets.places.get(p.id) ?? []),
        });
    }
  return out;
}

export function facadeCameras(site: Site): Device[] {
  return site.devices.filter((d) => d.kind === 'camera' && d.calibration && d.building);
}

interface Targets {
  water: Map<string, WaterIncident[]>;
  absences: Map<string, Absence[]>;
  runaways: Map<string, RunawayIncident[]>;
  throws: Map<string, ThrowIncident[]>;
  places: Map<string, PlaceIncident[]>;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

/** Places every scripted and random incident on a concrete target and time. */
function resolveIncidents(site: Site, scenario: Scenario, startMs: number, endMs: number, rng: Rng): Targets {
  const t: Targets = {
    water: new Map(),
    absences: new Map(),
    runaways: new Map(),
    throws: new Map(),
    places: new Map(),
  };
  const span = endMs - startMs;
  const list: ScenarioIncident[] = [...(scenario.incidents ?? [])];
  const randomAt = new Map<number, number>();
  for (const [kind, count] of Object.entries(scenario.randomIncidents ?? {}) as Array<
    [RandomIncidentKind, number]
  >)
    for (let i = 0; i < count; i++) {
      // Not in the first or last 5 % of the run, so that the lead-up and the aftermath are in the data.
      randomAt.set(list.length, startMs + span * rng.uniform(0.05, 0.9));
      list.push(randomIncident(kind, rng));
    }
  list.forEach((inc, index) => {
    const r = rng.fork(`incident/${index}`);
    const at = Math.round(randomAt.get(index) ?? startMs + parseDuration(inc.at)!);
    addTarget(t, site, inc, at, r);
  });
  return t;
}

/** Puts one incident of the scenario on its device's list of targets. */
function addTarget(t: Targets, site: Site, inc: ScenarioIncident, at: number, r: Rng): void {
  switch (inc.kind) {
    case 'thermal_runaway': {
      const shed = pickPlace(site, 'bike_shed', inc.place, r);
      push(t.runaways, shed.id, {
        at,
        ...(inc.port !== undefined ? { port: inc.port } : {}),
        ...(inc.chargedFrom === 'private_lead' ? { privateLead: true } : {}),
      });
      return;
    }
    case 'thrown_object': {
      const cams = facadeCameras(site);
      const cam = inc.camera && inc.camera !== 'auto' ? cams.find((c) => c.id === inc.camera)! : r.pick(cams);
      push(t.throws, cam.id, {
        at,
        ...(inc.floor !== undefined ? { floor: inc.floor } : {}),
        ...(inc.column !== undefined ? { column: inc.column } : {}),
        ...(inc.object ? { object: inc.object as ObjectClassName } : {}),
        ...(inc.thrown !== undefined ? { thrown: inc.thrown } : {}),
      });
      return;
    }
    case 'littering':
    case 'fire_lane_blocked': {
      const place = pickPlace(site, inc.kind === 'littering' ? 'garbage_room' : 'fire_lane', inc.place, r);
      push(t.places, place.id, { at, dwellMs: parseDuration(inc.dwell)! });
      return;
    }
    case 'absence': {
      const h = pickHousehold(site, inc.household, 'any', false, r);
      push(t.absences, h.id, {
        from: at,
        to: at + parseDuration(inc.for)!,
        reason: inc.reason ?? 'family',
        announced: inc.announced ?? true,
      });
      return;
    }
    case 'elderly_inactivity': {
      const h = pickHousehold(site, inc.household, inc.reporting ?? 'any', true, r);
      const endAt = inc.for !== undefined ? at + parseDuration(inc.for)! : undefined;
      push(t.water, h.id, { kind: 'elderly_inactivity', at, ...(endAt !== undefined ? { endAt } : {}) });
      return;
    }
    case 'tap_running': {
      const h = pickHousehold(site, inc.household, inc.reporting ?? 'any', false, r);
      push(t.water, h.id, {
        kind: 'tap_running',
        at,
        endAt: at + parseDuration(inc.for)!,
        litresPerMin: inc.litresPerMin ?? r.uniform(4, 8),
      });
      return;
    }
    case 'leak': {
      const h = pickHousehold(site, inc.household, inc.reporting ?? 'any', false, r);
      const endAt = inc.for !== undefined ? at + parseDuration(inc.for)! : undefined;
      push(t.water, h.id, {
        kind: 'leak',
        at,
        ...(endAt !== undefined ? { endAt } : {}),
        litresPerHour: inc.litresPerHour ?? r.uniform(2, 30),
      });
      return;
    }
  }
}

/** A random incident's own parameters (its time is drawn by the caller). */
function randomIncident(kind: RandomIncidentKind, rng: Rng): ScenarioIncident {
  switch (kind) {
    case 'thermal_runaway':
    case 'thrown_object':
      return { kind, at: 0 };
    case 'elderly_inactivity':
      // Found after 1–3 days (a worker's visit, family), then life resumes.
      return { kind, at: 0, for: `${Math.round(rng.uniform(24, 72))}h` };
    case 'tap_running':
      return { kind, at: 0, for: `${Math.round(rng.uniform(10, 180))}m` };
    case 'leak':
      return { kind, at: 0, for: `${Math.round(rng.uniform(1, 10))}d` };
    case 'littering':
      return { kind, at: 0, dwell: `${Math.round(rng.uniform(30, 600))}m` };
    case 'fire_lane_blocked':
      return { kind, at: 0, dwell: `${Math.round(rng.uniform(10, 480))}m` };
  }
}

function pickPlace(site: Site, kind: Place['kind'], id: string | undefined, rng: Rng): Place {
  if (id && id !== 'auto') return site.places.find((p) => p.id === id)!;
  return rng.pick(site.places.filter((p) => p.kind === kind));
}

function pickHousehold(
  site: Site,
  id: string | undefined,
  reporting: 'hourly' | 'daily_batch' | 'any',
  alone: boolean,
  rng: Rng,
): Household {
  if (id && id !== 'auto') return site.households.find((h) => h.id === id)!;
  const meters = new Map(
    site.devices.filter((d) => d.kind === 'water_meter' && d.household).map((d) => [d.household!, d]),
  );
  const fits = site.households.filter((h) => {
    const m = meters.get(h.id);
    if (!m || (alone && !h.livesAlone)) return false;
    const hourly = (m.reportIntervalS ?? 86400) < 86400;
    return reporting === 'any' || (reporting === 'hourly') === hourly;
  });
  if (fits.length === 0)
    throw new RangeError(`no household with a ${reporting} meter${alone ? ' living alone' : ''}`);
  return rng.pick(fits);
}

function selectHouseholds(site: Site, scenario: Scenario, targets: Targets, rng: Rng): Household[] {
  const choice = scenario.models?.households ?? 'all';
  if (choice === 'all') return site.households;
  const wanted = new Set<string>([...targets.water.keys(), ...targets.absences.keys()]);
  if (Array.isArray(choice)) choice.forEach((h) => wanted.add(h));
  else {
    const pool = site.households.filter((h) => !wanted.has(h.id));
    for (let i = 0; i < choice && pool.length; i++)
      wanted.add(pool.splice(rng.int(0, pool.length - 1), 1)[0]!.id);
  }
  return site.households.filter((h) => wanted.has(h.id));
}
