/**
 * What the street hub gets of an incident or alert about a household. Handing personal data to
 * another handler needs the household's separate consent (PIPL Art. 23), recorded as
 * `shareWithStreet`: without it the street learns that a household in a building has an incident
 * of a kind, and how it is being handled, but not which flat, whose meter, or the words that name
 * them. The community's own pages keep everything.
 */
import type { AlertKind, AlertLocation } from '../contracts/alerts.ts';
import type { SiteIndex } from '../site/site-index.ts';

type Words = { 'zh-CN': string; en: string };

/** Whether a household's consent lets its incidents reach the street in full. */
export type StreetConsent = (householdId: string) => boolean;

interface HouseholdRecord {
  kind: AlertKind;
  location: AlertLocation;
  /** An alert's incident, or (an incident) its own id. */
  incidentId?: string | null;
  id?: string;
  dedupeKey?: string;
  title: string;
  message: string;
  source: { deviceId: string | null };
}

const KIND_WORDS: Partial<Record<AlertKind, Words>> = {
  elderly_inactivity: { 'zh-CN': '独居老人用水异常', en: 'resident alone: no water use' },
  continuous_water_flow: { 'zh-CN': '住户用水不停', en: 'water running in a flat' },
  water_use_abnormal: { 'zh-CN': '住户用水异常', en: 'unusual water use in a flat' },
};
const DEFAULT_WORDS: Words = { 'zh-CN': '住户告警', en: 'alert about a household' };
const WITHHELD: Words = {
  'zh-CN': '详情仅在社区查看：该户未同意向街道共享。',
  en: 'Details stay in the community: the household has not agreed to share them with the street.',
};

/**
 * `body` as the street may see it: unchanged unless it is about a household that has not agreed
 * to share with the street.
 */
export function forStreet<T extends HouseholdRecord>(body: T, site: SiteIndex, shares: StreetConsent): T {
  const household = body.location.household;
  if (!household || shares(household)) return body;
  const building = site.building(body.location.building ?? undefined);
  const words = KIND_WORDS[body.kind] ?? DEFAULT_WORDS;
  const title: Words = {
    'zh-CN': `${building?.name['zh-CN'] ?? ''}${words['zh-CN']}`,
    en: `${words.en[0]!.toUpperCase()}${words.en.slice(1)}${building ? ` in ${building.name.en ?? building.id}` : ''}`,
  };
  const withheld: T = {
    ...body,
    title: title['zh-CN'],
    message: WITHHELD['zh-CN'],
    location: { ...body.location, household: null, unit: null, floor: null, floorRange: null },
    source: { ...body.source, deviceId: null },
  };
  // The key names the flat (and flats are few enough to try every one against a hash): the street
  // gets the incident's own id instead, which groups the same records and says nothing more.
  if (body.dedupeKey !== undefined) withheld.dedupeKey = `${body.kind}:${body.incidentId ?? body.id ?? ''}`;
  if ('texts' in body) Object.assign(withheld, { texts: { title, message: WITHHELD } });
  if ('resolutionNote' in body) Object.assign(withheld, { resolutionNote: null, photos: [] });
  return withheld;
}
