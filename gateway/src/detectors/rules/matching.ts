/**
 * Which rules look at which device. The engine asks once per (device, source, event type) and
 * caches the answer, so a message costs only the rules that apply to its device, however many
 * other rules are loaded.
 */
import type { SiteIndex } from '../../site/site-index.ts';
import type { Device } from '../../contracts/site.ts';
import type { CompiledRule, RuleMatch, Subject } from './types.ts';

export function matchesDevice(match: RuleMatch, device: Device, site: SiteIndex): boolean {
  if (match.deviceKind && !match.deviceKind.includes(device.kind)) return false;
  if (match.device && !match.device.includes(device.id)) return false;
  if (match.tags && !match.tags.every((t) => device.tags?.includes(t))) return false;
  if (match.notTags && match.notTags.some((t) => device.tags?.includes(t))) return false;
  const place = site.place(device.place);
  if (match.place && !(place && match.place.includes(place.id))) return false;
  if (match.placeKind && !(place && match.placeKind.includes(place.kind))) return false;
  if (match.facade && !(device.facade && match.facade.includes(device.facade))) return false;
  const household = site.household(device.household);
  if (match.building) {
    const building = household?.building ?? device.building ?? place?.building;
    if (!building || !match.building.includes(building)) return false;
  }
  if (match.grid && !site.isWithin(site.deviceGrid(device), match.grid)) return false;
  if (match.household) {
    if (!household) return false;
    const { livesAlone, elderly } = match.household;
    if (livesAlone !== undefined && household.livesAlone !== livesAlone) return false;
    if (elderly !== undefined && household.elderly !== elderly) return false;
  }
  return true;
}

export function subjectFor(rule: CompiledRule, device: Device, stream: string, site: SiteIndex): Subject {
  const place = site.place(device.place);
  const household = site.household(device.household);
  if (rule.subject === 'place' && place)
    return { key: `place:${place.id}`, device, stream, place, household: undefined };
  return {
    key: stream ? `device:${device.id}#${stream}` : `device:${device.id}`,
    device,
    stream,
    place,
    household,
  };
}

/** The subject a persisted state key names (after a restart), or undefined if it is gone. */
export function subjectFromKey(rule: CompiledRule, key: string, site: SiteIndex): Subject | undefined {
  const place = /^place:(.+)$/.exec(key);
  if (place) {
    const device = site.allDevices().find((d) => d.place === place[1] && matchesDevice(rule.match, d, site));
    return device && subjectFor(rule, device, '', site);
  }
  const m = /^device:([^#]+)(?:#(.*))?$/.exec(key);
  const device = m ? site.device(m[1]!) : undefined;
  return device && subjectFor(rule, device, m![2] ?? '', site);
}
