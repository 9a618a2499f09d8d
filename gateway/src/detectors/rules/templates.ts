/**
 * Alert texts with placeholders: `{building}`, `{floor}`, `{place}`, `{value:2}` (2 decimals)…
 * Templates are checked when the rule loads (an unknown placeholder is an error there, not a
 * blank in a resident's alert). Names of places and buildings come from the site file in the
 * text's language.
 */
import type { SiteIndex } from '../../site/site-index.ts';
import type { LocalizedText } from '../../contracts/site.ts';
import type { FactValue } from '../../../../rules/operators/comparison.ts';
import type { FacadeSighting } from './facade-sighting.ts';
import type { Subject } from './types.ts';

export type Lang = 'zh-CN' | 'en';

/** Placeholders every rule may use; `as` names of its conditions come on top. */
export const BUILTIN_PLACEHOLDERS = [
  'rule',
  'device',
  'building',
  'buildingId',
  'floor',
  'unit',
  'room',
  'household',
  'place',
  'placeId',
  'facade',
  'port',
  'value',
  'time',
  'origin',
] as const;

const PLACEHOLDER_RE = /\{([a-zA-Z][a-zA-Z0-9_]*)(?::([0-9]))?\}/g;

const FACADES: Record<string, { 'zh-CN': string; en: string }> = {
  east: { 'zh-CN': '东侧', en: 'east side' },
  west: { 'zh-CN': '西侧', en: 'west side' },
  south: { 'zh-CN': '南侧', en: 'south side' },
  north: { 'zh-CN': '北侧', en: 'north side' },
};

/** Names used in `template` that are not known; empty when fine. */
export function unknownPlaceholders(template: string, known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER_RE)) if (!known.has(m[1]!)) out.push(m[1]!);
  return out;
}

function localized(text: LocalizedText | undefined, lang: Lang): string | undefined {
  return text ? (lang === 'en' ? (text.en ?? text['zh-CN']) : text['zh-CN']) : undefined;
}

export interface TemplateInput {
  ruleId: string;
  subject: Subject;
  facts: Record<string, FactValue>;
  /** The first fact evaluated: what `{value}` shows. */
  value: FactValue;
  at: number;
  timezone: string;
  /** Where a camera event's box sits on its façade (`{origin}`), when the camera is calibrated. */
  sighting?: FacadeSighting | null;
}

/** "12层及以上、第3列窗户": the object left a window at or above where the camera first saw it. */
function originText(sighting: FacadeSighting | null | undefined, lang: Lang): string {
  if (!sighting) return lang === 'en' ? 'floor unknown' : '楼层不明';
  const [from, top] = sighting.floorRange;
  const column = sighting.windowColumn;
  if (lang === 'en')
    return `${from === top ? `floor ${from}` : `floor ${from} or above`}, window column ${column}`;
  return `${from === top ? `${from}层` : `${from}层及以上`}、第${column}列窗户`;
}

export function renderTemplate(template: string, lang: Lang, input: TemplateInput, site: SiteIndex): string {
  const { subject } = input;
  const household = subject.household;
  const buildingId = household?.building ?? subject.device.building ?? subject.place?.building;
  const building = site.building(buildingId);
  const facade = subject.device.facade;
  const lookup = (name: string): FactValue | string | null | undefined => {
    switch (name) {
      case 'rule':
        return input.ruleId;
      case 'device':
        return subject.device.name ?? subject.device.id;
      case 'building':
        return localized(building?.name, lang) ?? buildingId;
      case 'buildingId':
        return buildingId;
      case 'floor':
        return household?.floor ?? subject.device.floor;
      case 'unit':
        return household?.unit ?? subject.device.unit;
      case 'room':
        return household?.room;
      case 'household':
        return household?.id;
      case 'place':
        return localized(subject.place?.name, lang) ?? subject.place?.id;
      case 'placeId':
        return subject.place?.id;
      case 'facade':
        return facade ? (FACADES[facade]?.[lang] ?? facade) : undefined;
      case 'port':
        return /^[0-9]+$/.test(subject.stream) ? Number(subject.stream) : undefined;
      case 'value':
        return input.value;
      case 'origin':
        return originText(input.sighting, lang);
      case 'time':
        return new Intl.DateTimeFormat(lang, {
          timeZone: input.timezone,
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          hour12: false,
        }).format(input.at);
      default:
        return input.facts[name];
    }
  };
  return template.replace(PLACEHOLDER_RE, (_m, name: string, decimals: string | undefined) => {
    const v = lookup(name);
    if (v === undefined || v === null) return '?';
    if (typeof v === 'number')
      return decimals !== undefined ? v.toFixed(Number(decimals)) : String(+v.toFixed(4));
    return String(v);
  });
}
