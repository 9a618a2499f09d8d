/**
 * A household's water use as a grid worker needs it on the doorstep: hours since water was last
 * used, and what is usual for them (litres a day, the hour they usually first use water). Read
 * from the meter's cumulative register (total_m3), so late or batched NB-IoT readings are fine.
 * Pure: no DOM, tested in Node.
 */

/** Register steps smaller than this are meter noise, not use (1 litre). */
export const MIN_USE_M3 = 0.001;

export interface MeterPoint {
  ts: number;
  totalM3: number;
}

export interface WaterPattern {
  /** Hours since the register last moved; null when it never moved in the window. */
  hoursSinceLastUse: number | null;
  lastUseAt: number | null;
  /** Median litres per complete day in the window (the day in progress is left out). */
  usualDailyL: number | null;
  /** Median local hour of the first use of each day. */
  usualFirstHour: number | null;
}

function localDayAndHour(ms: number, timeZone: string): { day: string; hour: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return { day: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function waterPattern(points: MeterPoint[], now: number, timeZone: string): WaterPattern {
  const sorted = [...points].sort((a, b) => a.ts - b.ts);
  let lastUseAt: number | null = null;
  const perDay = new Map<string, number>();
  const firstHour = new Map<string, number>();
  for (let i = 1; i < sorted.length; i += 1) {
    const used = sorted[i]!.totalM3 - sorted[i - 1]!.totalM3;
    if (used < MIN_USE_M3) continue;
    const at = sorted[i]!.ts;
    lastUseAt = at;
    const { day, hour } = localDayAndHour(at, timeZone);
    perDay.set(day, (perDay.get(day) ?? 0) + used);
    if (!firstHour.has(day)) firstHour.set(day, hour);
  }
  const today = localDayAndHour(now, timeZone).day;
  const firstDay = sorted.length ? localDayAndHour(sorted[0]!.ts, timeZone).day : today;
  // Complete days only: not today, and not the first day (its morning may be outside the window).
  const fullDays = [...perDay.entries()].filter(([d]) => d !== today && d !== firstDay);
  const hours = [...firstHour.entries()].filter(([d]) => d !== today && d !== firstDay).map(([, h]) => h);
  const daily = median(fullDays.map(([, m3]) => m3 * 1000));
  return {
    hoursSinceLastUse: lastUseAt === null ? null : Math.round(((now - lastUseAt) / 3_600_000) * 10) / 10,
    lastUseAt,
    usualDailyL: daily === null ? null : Math.round(daily),
    usualFirstHour: median(hours),
  };
}
