/**
 * A household's presence signals beside the water meter: its electricity register (someone
 * switching something on is a sign of life; everything switched off to standby by day is leaving)
 * and its entrance door contact (out and not back). HouseholdState asks them whether a silence is
 * explained by the resident being away.
 */
import { HOUR, RECORD_MS, timeOfDay } from './params.ts';
import type { MeterRegister } from './register.ts';

/** Door openings older than this before `t` are not counted when no surely-home span is kept. */
const KEEP_MS = 3 * 24 * HOUR;
/** Electricity intervals longer than this say nothing about the load at one time (lost reports). */
const MAX_POWER_SPAN_MS = 3 * HOUR;
/** Days of electricity intervals the standby load is learned from. */
const STANDBY_DAYS = 7;
/** Intervals on record before a standby load is known (a day of hourly, or 6 h of 15-min reports). */
const MIN_STANDBY_INTERVALS = 24;
/** Above the standby load by less than this, W: nobody is using anything (fridge cycles, chargers). */
const STANDBY_MARGIN_W = 30;
/**
 * A change of the mean load by this much, W, between intervals is someone switching something on
 * or off (kettle, cooker, TV, lights): a sign of life, as a flush is. A load left on is steady.
 */
const POWER_CHANGE_W = 60;
/**
 * Appliances that switch themselves (a fridge's compressor, a water heater keeping warm) change
 * the load too, night and day: a change counts as a sign of life only when it is larger than the
 * changes the household's load makes while everyone sleeps (local 01–05 h, their 90th percentile,
 * plus STANDBY_MARGIN_W). Without this a collapsed resident's fridge read as someone at home.
 */
const UNATTENDED_HOURS: readonly [number, number] = [1, 5];
const UNATTENDED_QUANTILE = 0.9;
/** Night interval pairs on record before the unattended swing is trusted (two nights of hourly). */
const MIN_UNATTENDED_PAIRS = 8;
/** Switching off to standby this close to the last use, by day, is leaving home (not a collapse). */
const LEAVING_WINDOW_MS = 1.5 * HOUR;
const LEAVING_HOURS: readonly [number, number] = [7, 20];

/** What the electricity meter says up to a time (see `PresenceSignals.electricityAt`). */
export interface ElectricityState {
  changedAt: number;
  standbySince: number | null;
}

/** The signals a household's inactivity is judged on besides its water meter. */
export type PresenceSet = 'water' | 'door' | 'electricity' | 'both';

export class PresenceSignals {
  /** Electricity register readings, [event time, kWh], sorted (the household's smart meter). */
  private readonly power: Array<[number, number]> = [];
  /** Entrance door openings, event time, sorted. */
  private readonly doorOpenings: number[] = [];

  constructor(private readonly utcOffsetMin: number) {}

  /** Whether the household has a door contact (then the door, not the electricity, says away). */
  get hasDoor(): boolean {
    return this.doorOpenings.length > 0;
  }

  /**
   * Which presence signals speak for the time `t`: the door once it has reported, the electricity
   * meter when it has a reading within MAX_POWER_SPAN_MS of `t` (a meter that is silent, or whose
   * readings for then have not arrived, cannot have explained the silence). The limit shift is
   * calibrated per signal set.
   */
  signalsAt(t: number): PresenceSet {
    const door = this.doorOpenings.length > 0;
    const electricity = this.hasPowerNear(t);
    return door && electricity ? 'both' : door ? 'door' : electricity ? 'electricity' : 'water';
  }

  private hasPowerNear(t: number): boolean {
    for (let i = this.power.length - 1; i >= 0; i--) {
      const ts = this.power[i]![0];
      if (ts < t - MAX_POWER_SPAN_MS) return false;
      if (ts <= t + MAX_POWER_SPAN_MS) return true;
    }
    return false;
  }

  /** A reading of the household's electricity register (kWh): presence and switching-on. */
  addElectricity(ts: number, kwh: number): void {
    insertSorted(this.power, [ts, kwh]);
    const newest = this.power.at(-1)![0];
    while (this.power.length > 2 && this.power[0]![0] < newest - STANDBY_DAYS * 24 * HOUR) this.power.shift();
  }

  /** The entrance door contact changed (1 opened). */
  addDoor(ts: number, open: number): void {
    if (open !== 1) return;
    let i = this.doorOpenings.length;
    while (i > 0 && this.doorOpenings[i - 1]! > ts) i--;
    if (this.doorOpenings[i - 1] === ts) return;
    this.doorOpenings.splice(i, 0, ts);
    while (this.doorOpenings.length && this.doorOpenings[0]! < ts - RECORD_MS) this.doorOpenings.shift();
  }

  /** Mean load of each electricity interval, [start, end, W], oldest first. */
  private powerIntervals(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let i = 1; i < this.power.length; i++) {
      const [t0, k0] = this.power[i - 1]!;
      const [t1, k1] = this.power[i]!;
      if (t1 - t0 <= MAX_POWER_SPAN_MS && t1 > t0)
        out.push([t0, t1, ((k1 - k0) * 1000) / ((t1 - t0) / HOUR)]);
    }
    return out;
  }

  /** The household's standby load, W: the 10th percentile of its interval means (null until known). */
  private standbyW(intervals: ReadonlyArray<[number, number, number]>): number | null {
    if (intervals.length < MIN_STANDBY_INTERVALS) return null;
    const sorted = intervals.map(([, , w]) => w).sort((x, y) => x - y);
    return sorted[Math.floor(sorted.length * 0.1)]!;
  }

  /**
   * The change of mean load, W, that is someone switching something: POWER_CHANGE_W, or more where
   * the household's load swings by itself while everyone sleeps (UNATTENDED_HOURS).
   */
  private lifeChangeW(intervals: ReadonlyArray<[number, number, number]>, t: number): number {
    const swings: number[] = [];
    for (let i = 1; i < intervals.length; i++) {
      const [t0, t1, w] = intervals[i]!;
      if (t1 > t) break;
      const [, prevEnd, prevW] = intervals[i - 1]!;
      const h = timeOfDay(t0, this.utcOffsetMin) / HOUR;
      if (prevEnd === t0 && h >= UNATTENDED_HOURS[0] && h < UNATTENDED_HOURS[1])
        swings.push(Math.abs(w - prevW));
    }
    if (swings.length < MIN_UNATTENDED_PAIRS) return POWER_CHANGE_W;
    swings.sort((a, b) => a - b);
    const unattended = swings[Math.floor(swings.length * UNATTENDED_QUANTILE)]!;
    return Math.max(POWER_CHANGE_W, unattended + STANDBY_MARGIN_W);
  }

  /**
   * What the electricity meter says up to time `t`: the latest change of the load (someone
   * switching something on or off), and since when it has shown only the standby load (fridge,
   * chargers; null when it shows more, has no interval near `t`, or has not learned its standby).
   */
  electricityAt(t: number): ElectricityState {
    const intervals = this.powerIntervals();
    const standby = this.standbyW(intervals);
    const changeW = this.lifeChangeW(intervals, t);
    let changedAt = 0;
    let standbySince: number | null = null;
    let last: [number, number, number] | null = null;
    for (const interval of intervals) {
      const [t0, t1, w] = interval;
      if (t1 > t) break;
      if (last && last[1] === t0 && Math.abs(w - last[2]) >= changeW) changedAt = t1;
      if (standby !== null) standbySince = w <= standby + STANDBY_MARGIN_W ? (standbySince ?? t0) : null;
      last = interval;
    }
    if (!last || t - last[1] > MAX_POWER_SPAN_MS) standbySince = null;
    return { changedAt, standbySince };
  }

  /**
   * Left home by the electricity meter: by day, everything switched off to standby around the
   * last use (a person leaving switches off; one who collapses does not), and standby since.
   */
  leftHome(lastUse: number, power: { standbySince: number | null }): boolean {
    if (power.standbySince === null || this.doorOpenings.length > 0) return false;
    const h = timeOfDay(power.standbySince, this.utcOffsetMin) / HOUR;
    return (
      Math.abs(power.standbySince - lastUse) <= LEAVING_WINDOW_MS &&
      h >= LEAVING_HOURS[0] &&
      h < LEAVING_HOURS[1]
    );
  }

  /** Door openings in (from, to]. */
  private openingsIn(from: number, to: number): number[] {
    return this.doorOpenings.filter((t) => t > from && t <= to);
  }

  /**
   * The door's openings since the resident was last surely at home before `t`: the end of the
   * latest span of the water `register` with use (at least `activeL` beyond its standing flow)
   * and no door movement in it. (In a span with both, hourly readings cannot say whether the
   * water was used before leaving or after coming back: a flush then out, or back then a wash.
   * Counting from the last span without that doubt keeps the parity right, and a lost opening is
   * corrected by the next such span.)
   */
  openingsSinceHome(t: number, register: MeterRegister, activeL: number): number[] {
    const points = register.points;
    let home = 0;
    for (let i = points.length - 1; i >= 1 && home === 0; i--) {
      const [t0, l0] = points[i - 1]!;
      const [t1, l1] = points[i]!;
      // Use beyond the standing flow: a leak runs whether anyone is home or not.
      if (t1 > t || register.useAbove(l1 - l0, t1 - t0) < activeL) continue;
      if (this.openingsIn(t0, t1).length === 0) home = t1;
    }
    return this.openingsIn(home || t - KEEP_MS, t);
  }

  /**
   * Whether the resident is away at `t`: out through the door and not back (an odd number of
   * openings since surely home), or, in a home without a door contact, switched off to standby on
   * leaving after the last use `lastUse` (leftHome).
   */
  away(t: number, lastUse: number, register: MeterRegister, activeL: number): boolean {
    if (this.doorOpenings.length > 0) return this.openingsSinceHome(t, register, activeL).length % 2 === 1;
    return this.leftHome(lastUse, this.electricityAt(t));
  }
}

function insertSorted(points: Array<[number, number]>, point: [number, number]): void {
  let i = points.length;
  while (i > 0 && points[i - 1]![0] > point[0]) i--;
  if (points[i - 1]?.[0] === point[0]) return;
  points.splice(i, 0, point);
}
