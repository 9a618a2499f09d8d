/**
 * Detection → alert: fills in where it happened (from the device when the detector left it
 * out), the grid path, both languages, and an id derived from the detection's content so that
 * the same detection raised twice (a replay, a retry after a crash, two paths) is one alert.
 */
import type { SiteIndex } from '../site/site-index.ts';
import type { AlertLocation, Detection } from '../contracts/alerts.ts';
import { contentId } from '../core/ids.ts';
import type { StoredAlert } from './model.ts';

export function alertIdOf(d: Detection): string {
  return contentId(
    'al',
    d.siteId,
    d.kind,
    d.dedupeKey,
    d.eventTs,
    d.source.deviceId ?? '',
    d.source.rule ?? '',
    d.source.model ?? '',
  );
}

export function resolveLocation(site: SiteIndex, d: Detection): AlertLocation {
  const device = d.source.deviceId ? site.device(d.source.deviceId) : undefined;
  const base: AlertLocation = device
    ? site.deviceLocation(device)
    : {
        building: null,
        facade: null,
        floor: null,
        floorRange: null,
        unit: null,
        household: null,
        place: null,
      };
  const loc: AlertLocation = { ...base };
  for (const [k, v] of Object.entries(d.location))
    if (v !== undefined) (loc as unknown as Record<string, unknown>)[k] = v;
  const household = site.household(loc.household ?? undefined);
  if (household) {
    loc.building ??= household.building;
    loc.unit ??= household.unit;
    loc.floor ??= household.floor;
  }
  loc.building ??= site.place(loc.place ?? undefined)?.building ?? null;
  return loc;
}

/** The grid node an alert belongs to: its household's, place's, building's, or its device's. */
export function gridNodeOf(site: SiteIndex, loc: AlertLocation, deviceId: string | null): string | null {
  const device = deviceId ? site.device(deviceId) : undefined;
  return (
    site.household(loc.household ?? undefined)?.grid ??
    site.place(loc.place ?? undefined)?.grid ??
    site.building(loc.building ?? undefined)?.grid ??
    (device ? site.deviceGrid(device) : null)
  );
}

export function buildAlert(site: SiteIndex, d: Detection, raisedAt: number): StoredAlert {
  const location = resolveLocation(site, d);
  const gridNode = gridNodeOf(site, location, d.source.deviceId);
  return {
    id: alertIdOf(d),
    kind: d.kind,
    severity: d.severity,
    siteId: d.siteId,
    title: d.title['zh-CN'],
    message: d.message['zh-CN'],
    location,
    grid: site.gridPath(gridNode),
    eventTs: new Date(d.eventTs).toISOString(),
    detectedAt: new Date(d.detectedTs ?? d.eventTs).toISOString(),
    raisedAt: new Date(raisedAt).toISOString(),
    source: {
      deviceId: d.source.deviceId ?? null,
      rule: d.source.rule ?? null,
      model: d.source.model ?? null,
    },
    evidence: d.evidence,
    incidentId: null,
    status: 'firing',
    dedupeKey: d.dedupeKey,
    gridNode,
    texts: { title: { ...d.title }, message: { ...d.message } },
    mutedBy: null,
  };
}

/** The contract Alert in one language (zh-CN unless English is asked for). */
export function localizeAlert(a: StoredAlert, lang: 'zh-CN' | 'en' = 'zh-CN'): StoredAlert {
  return {
    ...a,
    title: a.texts.title[lang] ?? a.texts.title['zh-CN'],
    message: a.texts.message[lang] ?? a.texts.message['zh-CN'],
  };
}
