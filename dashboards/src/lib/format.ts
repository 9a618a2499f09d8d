/** Spelling out places, times and durations the way a grid worker reads them (3号楼 1单元 12层). */
import type { AlertLocation, SiteView } from './model.ts';
import { locale, localized, t, tOr } from './i18n.ts';

/** "3号楼 1单元 12层" / "Building 3, unit 1, floor 12", from an alert location and the site. */
export function spellLocation(loc: AlertLocation, site: SiteView | null): string {
  const parts: string[] = [];
  const household = loc.household ? site?.households.find((h) => h.id === loc.household) : undefined;
  const buildingId = loc.building ?? household?.building ?? null;
  const building = buildingId ? site?.buildings.find((b) => b.id === buildingId) : undefined;
  if (building) parts.push(localized(building.name));
  else if (buildingId) parts.push(t('loc.building', { id: buildingId.replace(/^B/, '') }));
  const unit = loc.unit ?? household?.unit;
  if (unit) parts.push(t('loc.unit', { unit }));
  if (loc.floorRange && loc.floorRange[0] !== loc.floorRange[1]) {
    parts.push(t('loc.floorRange', { from: loc.floorRange[0], to: loc.floorRange[1] }));
  } else {
    const floor = loc.floor ?? loc.floorRange?.[0] ?? household?.floor;
    if (floor !== undefined && floor !== null) parts.push(t('loc.floor', { floor }));
  }
  if (household) parts.push(t('loc.room', { room: household.room }));
  if (loc.facade) parts.push(tOr(`facade.${loc.facade}`, loc.facade));
  if (loc.place) {
    const place = site?.places.find((p) => p.id === loc.place);
    parts.push(place ? localized(place.name) : loc.place);
  }
  return parts.join(locale() === 'en' ? ', ' : ' ') || t('loc.unknown');
}

/** "3分钟" / "3 min", "2小时5分" / "2 h 5 min", "1天3小时" / "1 d 3 h". */
export function spellDuration(ms: number): string {
  const min = Math.max(0, Math.floor(ms / 60_000));
  if (min < 1) return t('dur.lessThanMinute');
  if (min < 60) return t('dur.min', { m: min });
  const hours = Math.floor(min / 60);
  if (hours < 24) return t('dur.hMin', { h: hours, m: min % 60 });
  return t('dur.dH', { d: Math.floor(hours / 24), h: hours % 24 });
}

export function formatTime(ms: number | string, withDate = false): string {
  const d = typeof ms === 'string' ? new Date(ms) : new Date(ms);
  return d.toLocaleString(locale(), {
    ...(withDate ? { month: '2-digit', day: '2-digit' } : {}),
    hour: '2-digit',
    minute: '2-digit',
    second: withDate ? undefined : '2-digit',
    hour12: false,
  });
}

export function formatNumber(v: number, digits = 1): string {
  return v.toLocaleString(locale(), { maximumFractionDigits: digits });
}

export function severityLabel(severity: string): string {
  return tOr(`severity.${severity}`, severity);
}

export function kindLabel(kind: string): string {
  return tOr(`kind.${kind}`, kind);
}

export function stateLabel(state: string): string {
  return tOr(`state.${state}`, state);
}

/** Report categories a worker can pick (POST /api/reports `category`). */
export const REPORT_CATEGORIES = [
  'falling_object',
  'fire_risk',
  'littering',
  'fire_lane_blocked',
  'water_leak',
  'elderly_care',
  'repair',
  'noise',
  'other',
] as const;

/**
 * The title of an alert or incident in the page language. A resident's report carries its
 * category id in the server's title ("居民点单：3号楼 water_leak"); it is shown as words.
 */
export function titleOf(item: { title: unknown; kind: string }): string {
  const title = localized(item.title) || kindLabel(item.kind);
  if (item.kind !== 'resident_report') return title;
  return title.replace(/\b[a-z]+(?:_[a-z]+)*\b/g, (id) =>
    (REPORT_CATEGORIES as readonly string[]).includes(id) ? tOr(`report.kind.${id}`, id) : id,
  );
}
