/**
 * Who sees which personal field (PIPL Art. 6, minimum necessary; GB/T 35273 §3.14 de-identified
 * display): full for the household's care worker, for whoever handles an open incident of the
 * household, and for the roles `privacy.fields` names within their grid; masked (张** /
 * 138****5678) or withheld for everyone else. The view also says which fields were read, for the
 * audit log.
 */
import type { Household, Role } from '../contracts/site.ts';
import type { PersonalView } from '../contracts/privacy.ts';
import type { PersonalField, PrivacyConfig } from './config.ts';

export function maskName(name: string): string {
  const chars = [...name.trim()];
  return chars.length ? `${chars[0]}**` : '';
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return digits.length > 2 ? `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}` : '**';
}

/** Any Chinese mobile or landline number inside free text, masked. */
export function maskPhonesInText(text: string): string {
  return text.replace(/(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g, '$1****$2');
}

/**
 * A payload for MQTT or a group robot without phone numbers: `phone`/`mobile`/`tel` keys are
 * dropped, names under a `reporter`/`resident`/`contacts` key masked, numbers in text masked.
 */
export function withoutPhones(value: unknown, parentKey = ''): unknown {
  if (typeof value === 'string') return maskPhonesInText(value);
  if (Array.isArray(value)) return value.map((v) => withoutPhones(v, parentKey));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const personal = /^(reporter|resident|contacts)$/.test(parentKey);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (/^(phone|mobile|tel|phones)$/i.test(k)) continue;
      out[k] = personal && k === 'name' && typeof v === 'string' ? maskName(v) : withoutPhones(v, k);
    }
    return out;
  }
  return value;
}

export interface Viewer {
  id: string;
  roles: Role[];
  /** True when the household's grid node lies within the viewer's grid. */
  covers: boolean;
  /** True when the viewer handles (is paged for, assigned, accepted) an open incident of the household. */
  handles: boolean;
}

export function seesInFull(
  field: PersonalField,
  household: Household,
  viewer: Viewer,
  config: PrivacyConfig,
): boolean {
  if (household.resident?.careWorker === viewer.id || viewer.handles) return true;
  return viewer.covers && viewer.roles.some((r) => config.fields[field].includes(r));
}

/** The household as `viewer` may see it, and the audit `fields` of that read. */
export function personalView(
  household: Household,
  viewer: Viewer,
  config: PrivacyConfig,
): { view: PersonalView; fields: string[] } {
  const full = (f: PersonalField): boolean => seesInFull(f, household, viewer, config);
  const masked = (['name', 'phone', 'healthNote', 'room'] as const).filter((f) => !full(f));
  const r = household.resident;
  const name = (n: string): string => (full('name') ? n : maskName(n));
  const phone = (p: string | undefined): string | null =>
    p === undefined ? null : full('phone') ? p : maskPhone(p);
  const view: PersonalView = {
    id: household.id,
    building: household.building,
    unit: household.unit,
    floor: household.floor,
    room: full('room') ? household.room : null,
    grid: household.grid,
    residents: household.residents,
    elderly: household.elderly,
    livesAlone: household.livesAlone,
    resident: {
      name: r ? name(r.name) : null,
      phone: phone(r?.phone),
      healthNote: r?.healthNote !== undefined && full('healthNote') ? r.healthNote : null,
      careWorker: r?.careWorker ?? null,
    },
    contacts: (household.contacts ?? []).map((c) => ({
      name: name(c.name),
      relation: c.relation ?? null,
      phone: phone(c.phone),
    })),
    masked,
  };
  const fields = (['name', 'phone', 'healthNote', 'room'] as const).map((f) =>
    masked.includes(f) ? `${f}:masked` : f,
  );
  return { view, fields };
}

/** The household as the site listing carries it: the flat, nothing about the people in it. */
export function flatOnly(h: Household) {
  return { id: h.id, building: h.building, unit: h.unit, floor: h.floor, room: h.room, grid: h.grid };
}
