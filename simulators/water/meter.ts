/**
 * One household's water meter as an actor. The register (litres) advances with the routine's
 * draw-offs plus injected flows; the meter reports it either hourly (canonical, `total_m3`) or as
 * a daily NB-IoT batch of 24 hourly registers uploaded after midnight at a per-meter time
 * (FIELD-NOTES §2.2: NB-IoT meters freeze interval readings and upload daily, with peak-shifted
 * upload times; DN15 meters resolve 1 L). Uplinks are sometimes lost or late (retries hours later),
 * and the battery drains over a 5–10-year life (§2.2 [M]).
 *
 * Both kinds also raise the event-triggered continuous-flow alarm uplink real meters have
 * (持续用水报警, sent at once, between scheduled reports): once flow above FLOW_ALARM.floorLPerH
 * has run without a break for FLOW_ALARM.everyMin minutes, and again every FLOW_ALARM.everyMin
 * while it lasts [M: threshold and repeat are per-meter settings; these are chosen so an ordinary
 * 5–15 min shower raises at most one]. The uplink is the register at that moment plus the alarm,
 * in the meter's own format (canonical `flow_lph`/`continuous_flow_min`, Sanchuan `alarm`).
 *
 * Incidents: the resident stops using water at T (fall, illness — the stream just stops), a tap
 * left running (4–8 L/min), a leak (2–30 L/h, a running toilet cistern). Absences (family stays,
 * hospital) stop use for days and are written to the truth as context: a detector should not alarm.
 */
import type { Device, Household } from '../../gateway/src/contracts/site.ts';
import { waterBatch, waterFlowAlarm, waterReading } from '../core/encoders.ts';
import type { Rng } from '../core/rng.ts';
import { DAY_MS, HOUR_MS, localHour, localMidnight, localWeekday } from '../core/time.ts';
import type { Actor, SimContext } from '../core/types.ts';
import {
  dayEvents,
  householdProfile,
  litresBetween,
  type HouseholdProfile,
  type UsageEvent,
} from './routine.ts';

export type WaterIncident =
  | { kind: 'elderly_inactivity'; at: number; endAt?: number }
  | { kind: 'tap_running'; at: number; endAt: number; litresPerMin: number }
  | { kind: 'leak'; at: number; endAt?: number; litresPerHour: number };

export interface Absence {
  from: number;
  to: number;
  reason: 'family' | 'hospital' | 'travel';
  /** Whether someone tells the grid worker (recorded in the gateway by the API announcer). */
  announced: boolean;
}

/** Share of absences someone reports to the grid worker [assumption]. */
const ANNOUNCED_SHARE: Record<Absence['reason'], number> = { family: 0.7, hospital: 0.5, travel: 0.9 };

/** Random multi-day absences on 1–5 % of days (FIELD-NOTES §2.4): start chance per day. */
const ABSENCE_START_PER_DAY = 0.006;
const HOSPITAL_START_PER_DAY = 0.0015;
/** Weekend family visits to elderly households. */
const VISIT_PER_WEEKEND_DAY = 0.15;
/** Continuous-flow alarm uplink: flow floor (a dripping tap or slow leak stays below) and period [M]. */
export const FLOW_ALARM = { floorLPerH: 60, everyMin: 10 } as const;

export class WaterMeterActor implements Actor {
  readonly id: string;
  nextAt: number;
  private readonly profile: HouseholdProfile;
  private readonly hourly: boolean;
  private registerL: number;
  private registerAt: number;
  private readonly dayCache = new Map<number, UsageEvent[]>();
  private readonly absences: Absence[] = [];
  /** Registers at each hour of the local day being frozen (daily-batch meters). */
  private frozen: { dayStart: number; firstHourMs: number; values: number[] } | null = null;
  private readonly uploadHour: number;
  private readonly batteryStartPct: number;
  private readonly batteryPerDayPct: number;
  private readonly rng: Rng;

  constructor(
    private readonly ctx: SimContext,
    private readonly device: Device,
    private readonly household: Household,
    private readonly incidents: WaterIncident[],
    scriptedAbsences: Absence[],
  ) {
    this.id = device.id;
    this.rng = ctx.rng.fork(`water/${device.id}`);
    this.profile = householdProfile(household, this.rng.fork('profile'));
    this.hourly = (device.reportIntervalS ?? 86400) < 86400;
    this.registerL = Math.floor(this.rng.uniform(20_000, 900_000));
    this.registerAt = ctx.startMs;
    // NB-IoT peak shifting (CN113709593B): each meter uploads at its own time between 00:10 and 04:00.
    this.uploadHour = this.rng.uniform(0.17, 4);
    this.batteryStartPct = this.rng.uniform(55, 100);
    // Hourly uplinks cost battery: about a 4-year life against 8 for a daily batch.
    this.batteryPerDayPct = 100 / ((this.hourly ? 4 : 8) * 365);
    this.absences.push(...scriptedAbsences);
    this.planRandomAbsences();
    this.nextAt = Math.ceil(ctx.startMs / HOUR_MS) * HOUR_MS;
    for (const inc of incidents) this.recordIncident(inc);
    for (const a of this.absences)
      ctx.truth({
        class: 'context',
        kind: 'absence',
        ts: Math.round(a.from),
        endTs: Math.round(a.to),
        deviceId: device.id,
        household: household.id,
        details: { reason: a.reason, announced: a.announced },
      });
  }

  step(now: number): void {
    this.advanceRegister(now);
    if (this.hourly) this.reportHourly(now);
    else this.freezeHour(now);
    this.raiseFlowAlarms(now, now + HOUR_MS);
    this.nextAt = now + HOUR_MS;
  }

  /** Register reading (litres) at a time — for tests and tools. */
  registerAtTime(t: number): number {
    this.advanceRegister(t);
    return this.registerL;
  }

  private reportHourly(now: number): void {
    if (this.rng.chance(this.ctx.noise.lostRate)) return;
    const delay = this.rng.chance(this.ctx.noise.lateRate)
      ? this.rng.uniform(1, 6) * HOUR_MS
      : this.rng.uniform(5, 240) * 1000;
    const wire = waterReading(
      this.device,
      this.ctx.stamp(this.id, now),
      this.registerL,
      this.batteryPct(now),
    );
    this.ctx.send({ at: now + delay, deviceId: this.id, ...wire });
  }

  /**
   * Continuous-flow alarms due in [from, to): flow above the floor without a break, counted from
   * the start of the uninterrupted draw (which may have begun hours earlier).
   */
  private raiseFlowAlarms(from: number, to: number): void {
    const lookbackMs = 6 * HOUR_MS;
    const draws: Array<{ start: number; end: number; lPerH: number }> = [];
    for (let day = localMidnight(from - lookbackMs) - DAY_MS; day < to; day += DAY_MS)
      for (const e of this.eventsOfDay(day))
        draws.push({
          start: e.start,
          end: e.start + e.durationS * 1000,
          lPerH: e.litres / (e.durationS / 3600),
        });
    for (const inc of this.incidents) {
      if (inc.kind === 'elderly_inactivity') continue;
      const lPerH = inc.kind === 'tap_running' ? inc.litresPerMin * 60 : inc.litresPerHour;
      draws.push({ start: inc.at, end: inc.endAt ?? Number.POSITIVE_INFINITY, lPerH });
    }
    const bounds = [
      ...new Set(draws.flatMap((d) => [d.start, d.end]).filter((t) => t > from - lookbackMs && t < to)),
    ].sort((a, b) => a - b);
    const rateAt = (t: number): number =>
      draws.reduce((sum, d) => (t >= d.start && t < d.end ? sum + d.lPerH : sum), 0);
    let runFrom: number | null = null;
    const cuts = [from - lookbackMs, ...bounds, to];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const [a, b] = [cuts[i]!, cuts[i + 1]!];
      const lPerH = rateAt((a + b) / 2);
      if (lPerH < FLOW_ALARM.floorLPerH) {
        runFrom = null;
        continue;
      }
      runFrom ??= a;
      const every = FLOW_ALARM.everyMin * 60_000;
      for (let at = runFrom + every * Math.ceil((Math.max(a, from) - runFrom) / every); at < b; at += every)
        if (at > runFrom && at >= from) this.sendFlowAlarm(at, (at - runFrom) / 60_000, lPerH);
    }
  }

  private sendFlowAlarm(at: number, continuousMin: number, lPerH: number): void {
    if (this.rng.chance(this.ctx.noise.lostRate)) return;
    const registerL = this.registerL + this.usageBetween(this.registerAt, at);
    const wire = waterFlowAlarm(this.device, this.ctx.stamp(this.id, at), registerL, this.batteryPct(at), {
      lPerH,
      minutes: continuousMin,
    });
    this.ctx.send({ at: at + this.rng.uniform(5, 60) * 1000, deviceId: this.id, ...wire });
  }

  private freezeHour(now: number): void {
    const dayStart = localMidnight(now);
    if (this.frozen && this.frozen.dayStart !== dayStart) this.frozen = null;
    this.frozen ??= { dayStart, firstHourMs: now, values: [] };
    this.frozen.values.push(Math.floor(this.registerL));
    // The last hour of the local day is frozen: upload the day in the small hours of the next.
    if (localHour(now) >= 23) {
      const f = this.frozen;
      this.frozen = null;
      if (this.rng.chance(this.ctx.noise.lostRate)) return;
      const upload = dayStart + DAY_MS + this.uploadHour * HOUR_MS;
      const late = this.rng.chance(this.ctx.noise.lateRate) ? this.rng.uniform(1, 6) * HOUR_MS : 0;
      const wire = waterBatch(
        this.device,
        this.ctx.stamp(this.id, f.firstHourMs),
        60,
        f.values,
        this.batteryPct(upload),
      );
      this.ctx.send({ at: upload + late, deviceId: this.id, ...wire });
    }
  }

  private batteryPct(t: number): number {
    const natural = Math.max(
      1,
      this.batteryStartPct - ((t - this.ctx.startMs) / DAY_MS) * this.batteryPerDayPct,
    );
    return this.ctx.battery(this.id, t, natural);
  }

  private advanceRegister(t: number): void {
    if (t <= this.registerAt) return;
    this.registerL += this.usageBetween(this.registerAt, t);
    this.registerAt = t;
  }

  private usageBetween(from: number, to: number): number {
    let litres = 0;
    // Events of the previous day can run past midnight (late showers, night flushes).
    for (let day = localMidnight(from) - DAY_MS; day < to; day += DAY_MS)
      litres += litresBetween(this.eventsOfDay(day), from, to);
    for (const inc of this.incidents) {
      if (inc.kind === 'elderly_inactivity') continue;
      const end = inc.endAt ?? Number.POSITIVE_INFINITY;
      const overlapMs = Math.min(end, to) - Math.max(inc.at, from);
      if (overlapMs <= 0) continue;
      const perMs = inc.kind === 'tap_running' ? inc.litresPerMin / 60_000 : inc.litresPerHour / HOUR_MS;
      litres += overlapMs * perMs;
    }
    return litres;
  }

  /** The routine's events of one local day, minus absences and after an inactivity incident. */
  private eventsOfDay(dayStart: number): UsageEvent[] {
    let events = this.dayCache.get(dayStart);
    if (events) return events;
    const rng = this.rng.fork(`day/${dayStart}`);
    const weekday = localWeekday(dayStart);
    const elderlyHome = this.profile.people.some((p) => p.elderly);
    const visit =
      elderlyHome && (weekday === 0 || weekday === 6) && rng.chance(VISIT_PER_WEEKEND_DAY)
        ? { fromH: rng.uniform(10, 12), toH: rng.uniform(14, 18), people: rng.int(1, 3) }
        : undefined;
    const outings: Array<[number, number]> = [];
    events = dayEvents(
      this.profile,
      { dayStartMs: dayStart, outings, ...(visit ? { visit } : {}) },
      rng,
    ).filter((e) => !this.absent(e.start) && !this.inactive(e.start));
    // Outings are ground truth for the presence signals (electricity, door): simulators/water/presence.ts.
    for (const [from, to] of outings)
      if (dayStart >= this.ctx.startMs - DAY_MS && !this.absent(from) && !this.inactive(from))
        this.ctx.truth({
          class: 'context',
          kind: 'outing',
          ts: Math.round(from),
          endTs: Math.round(to),
          deviceId: this.id,
          household: this.household.id,
        });
    if (visit && dayStart >= this.ctx.startMs - DAY_MS)
      this.ctx.truth({
        class: 'context',
        kind: 'visit',
        ts: Math.round(dayStart + visit.fromH * HOUR_MS),
        endTs: Math.round(dayStart + visit.toH * HOUR_MS),
        deviceId: this.id,
        household: this.household.id,
        details: { visitors: visit.people },
      });
    this.dayCache.set(dayStart, events);
    // Keep memory flat over long runs: days older than two are never asked for again.
    for (const k of this.dayCache.keys()) if (k < dayStart - 2 * DAY_MS) this.dayCache.delete(k);
    return events;
  }

  private absent(t: number): boolean {
    return this.absences.some((a) => t >= a.from && t < a.to);
  }

  private inactive(t: number): boolean {
    return this.incidents.some(
      (i) => i.kind === 'elderly_inactivity' && t >= i.at && t < (i.endAt ?? Infinity),
    );
  }

  private planRandomAbsences(): void {
    const rng = this.rng.fork('absences');
    for (let day = localMidnight(this.ctx.startMs); day < this.ctx.endMs; day += DAY_MS) {
      if (this.absent(day)) continue;
      const hospital = rng.chance(HOSPITAL_START_PER_DAY);
      if (hospital || rng.chance(ABSENCE_START_PER_DAY)) {
        const from = day + rng.uniform(8, 16) * HOUR_MS;
        const days = hospital ? rng.uniform(3, 14) : rng.uniform(1, 7);
        const to = localMidnight(from + days * DAY_MS) + rng.uniform(10, 18) * HOUR_MS;
        const reason = hospital ? 'hospital' : rng.chance(0.8) ? 'family' : 'travel';
        const announced = rng.chance(ANNOUNCED_SHARE[reason]);
        // Nobody is away while lying ill at home: an absence may not span an inactivity incident.
        if (
          !this.incidents.some(
            (i) => i.kind === 'elderly_inactivity' && from < (i.endAt ?? Infinity) && to > i.at,
          )
        )
          this.absences.push({ from, to, reason, announced });
      }
    }
  }

  private recordIncident(inc: WaterIncident): void {
    this.ctx.truth({
      class: 'incident',
      kind: inc.kind === 'elderly_inactivity' ? 'elderly_inactivity' : 'continuous_water_flow',
      ts: inc.at,
      ...(inc.endAt !== undefined ? { endTs: inc.endAt } : {}),
      deviceId: this.id,
      household: this.household.id,
      building: this.household.building,
      floor: this.household.floor,
      details: {
        cause: inc.kind,
        livesAlone: this.household.livesAlone,
        reporting: this.hourly ? 'hourly' : 'daily_batch',
        ...(inc.kind === 'tap_running' ? { litresPerMin: inc.litresPerMin } : {}),
        ...(inc.kind === 'leak' ? { litresPerHour: inc.litresPerHour } : {}),
      },
    });
  }
}
