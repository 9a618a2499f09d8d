/**
 * Air temperature and humidity inside a bike shed: Shanghai's seasonal mean, a day/night swing,
 * and sun on the metal roof. FIELD-NOTES §3.4 ([M], domain knowledge): sun-heated metal roofs
 * warm at 0.5–2 °C/min and reach 50–60 °C; we let the shed air reach about 45 °C on a clear
 * summer afternoon. Monthly means: Shanghai climate normals (Xujiahui, CMA 1991–2020) [M].
 */
import type { Rng } from '../core/rng.ts';
import { localDayOfYear, localHour, localMidnight } from '../core/time.ts';

/** Monthly mean air temperature, °C, January first. */
const SHANGHAI_MONTHLY_MEAN_C = [4.8, 6.6, 10.4, 15.8, 21.0, 24.9, 28.7, 28.4, 24.6, 19.4, 13.4, 7.1];

export function seasonalMeanC(t: number): number {
  // Interpolate between mid-month means.
  const doy = localDayOfYear(t);
  const m = (doy / 365) * 12 - 0.5;
  const i = Math.floor(m);
  const f = m - i;
  const a = SHANGHAI_MONTHLY_MEAN_C[((i % 12) + 12) % 12]!;
  const b = SHANGHAI_MONTHLY_MEAN_C[(((i + 1) % 12) + 12) % 12]!;
  return a + (b - a) * f;
}

/** Solar strength 0–1 by time of day and season (no sun 18:30–05:30 in summer, shorter in winter). */
export function solarFactor(t: number): number {
  const h = localHour(t);
  const doy = localDayOfYear(t);
  const summer = 0.5 + 0.5 * Math.cos((2 * Math.PI * (doy - 172)) / 365); // 1 at the June solstice
  const halfDayH = 5 + 1.8 * summer; // ~10 h of useful sun in winter, ~13.6 h in summer
  const x = (h - 12.3) / halfDayH;
  if (Math.abs(x) >= 1) return 0;
  return Math.cos((x * Math.PI) / 2) ** 1.5 * (0.55 + 0.45 * summer);
}

/** Weather of one day: cloud cover 0–1 and whether it rains. */
export interface DayWeather {
  cloud: number;
  rain: boolean;
}

export function dayWeather(rng: Rng, t: number, rainProbability: number): DayWeather {
  const day = rng.fork(`weather/${localMidnight(t)}`);
  const rain = day.chance(rainProbability);
  return { cloud: rain ? day.uniform(0.7, 1) : day.uniform(0, 0.8), rain };
}

/** Outdoor air temperature: seasonal mean ± 3.5 °C, coldest near 05:00, warmest near 14:00. */
export function outdoorTempC(t: number, weather: DayWeather): number {
  const h = localHour(t);
  // Rises over the 9 h from 05:00 to 14:00, falls over the other 15 h.
  const rising = h >= 5 && h < 14;
  const phase = rising ? (h - 5) / 9 : ((h - 14 + 24) % 24) / 15;
  const diurnal = (rising ? -Math.cos(Math.PI * phase) : Math.cos(Math.PI * phase)) * 3.5;
  return seasonalMeanC(t) + diurnal * (1 - 0.5 * weather.cloud) - (weather.rain ? 1.5 : 0);
}

/** Shed air: outdoor air plus the metal roof's gain under sun (up to +13 °C on a clear summer day). */
export function shedAirTempC(t: number, weather: DayWeather): number {
  return outdoorTempC(t, weather) + 13 * solarFactor(t) * (1 - 0.8 * weather.cloud);
}

export function humidityPct(t: number, weather: DayWeather): number {
  const h = localHour(t);
  const base = weather.rain ? 92 : 70 + 10 * Math.cos((2 * Math.PI * (h - 5)) / 24);
  return Math.min(99, base);
}
