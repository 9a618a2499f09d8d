/**
 * Time-of-day and day-of-week gates in the site's timezone (Asia/Shanghai for the example site),
 * evaluated at event time. `from`–`to` may wrap midnight (22:00–06:00); `days` names the day the
 * local time falls on.
 */
import type { Schedule } from './types.ts';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The last answer per timezone: readings arrive minute after minute, and formatToParts is slow. */
const lastLocalTime = new Map<string, { minute: number; value: { day: string; minutes: number } }>();

/** Local day name (`mon`) and minutes after midnight. */
export function localTime(ts: number, timezone: string): Readonly<{ day: string; minutes: number }> {
  const minute = Math.floor(ts / 60_000);
  const last = lastLocalTime.get(timezone);
  if (last?.minute === minute) return last.value;
  const value = computeLocalTime(ts, timezone);
  lastLocalTime.set(timezone, { minute, value });
  return value;
}

function computeLocalTime(ts: number, timezone: string): { day: string; minutes: number } {
  let day = 'sun';
  let hour = 0;
  let minute = 0;
  for (const p of formatter(timezone).formatToParts(ts)) {
    if (p.type === 'weekday') day = p.value.slice(0, 3).toLowerCase();
    else if (p.type === 'hour') hour = Number(p.value) % 24;
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day: DAY_NAMES.includes(day) ? day : 'sun', minutes: hour * 60 + minute };
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function inSchedule(schedule: Schedule | null, ts: number, timezone: string): boolean {
  if (!schedule) return true;
  const { day, minutes } = localTime(ts, timezone);
  if (schedule.days && !schedule.days.includes(day)) return false;
  const from = schedule.from ? toMinutes(schedule.from) : 0;
  const to = schedule.to ? toMinutes(schedule.to) : 24 * 60;
  return from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}
