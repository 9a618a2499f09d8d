/** Shared fixtures for the privacy tests: a site file variant and a resident's meter history. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLE_SITE_FILE } from '../../../gateway/src/site/site-loader.ts';
import type { Site } from '../../../gateway/src/contracts/site.ts';
import type { SiteConsent } from '../../../gateway/src/privacy/config.ts';
import { testNow } from '../../helpers/clock.ts';

export const HOUR = 3_600_000;

/** The example site with `edit` applied, written into `dir`; returns the file path. */
export function siteVariant(
  dir: string,
  edit: (site: Site & { privacy: { consents: SiteConsent[] } }) => void,
): string {
  const site = parse(readFileSync(EXAMPLE_SITE_FILE, 'utf8')) as Site & {
    privacy: { consents: SiteConsent[] };
  };
  edit(site);
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, stringify(site, { lineWidth: 0 }));
  return file;
}

const localHour = (t: number): number => new Date(t + 8 * HOUR).getUTCHours();

/**
 * Three weeks of hourly registers (m³) ending at the last whole hour: water every hour 07–21
 * Shanghai time until `stopAt`. Also returns a `stopAt` at a time the resident is normally up.
 */
export function meterHistory(): {
  series: Array<{ ts: number; total_m3: number }>;
  stopAt: number;
  end: number;
} {
  const end = Math.floor(testNow() / HOUR) * HOUR;
  let stopAt = end - 10 * HOUR;
  while (localHour(stopAt) < 8 || localHour(stopAt) > 12) stopAt -= HOUR;
  const DAY = 24 * HOUR;
  const start = Math.floor((end - 21 * DAY + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
  const series: Array<{ ts: number; total_m3: number }> = [];
  let litres = 50_000;
  for (let t = start; t <= end; t += HOUR) {
    const hour = (localHour(t) + 23) % 24;
    if (t <= stopAt && hour >= 7 && hour <= 21) litres += 6;
    series.push({ ts: t, total_m3: litres / 1000 });
  }
  return { series, stopAt, end };
}
