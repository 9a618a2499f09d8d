/**
 * The site file's `privacy` section with its lawful defaults filled in (schema:
 * gateway/src/site/site.schema.json, reasons: docs/privacy.md).
 */
import type { Role, Site } from '../contracts/site.ts';

export const PERSONAL_FIELDS = ['name', 'phone', 'healthNote', 'room', 'absences'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

export interface SiteConsent {
  household: string;
  by: 'resident' | 'guardian';
  signer?: string;
  monitoring: 'day_only' | 'round_the_clock';
  shareWithFamily?: boolean;
  shareWithStreet?: boolean;
  at: string;
  form: string;
}

export interface PrivacyConfig {
  consents: SiteConsent[];
  dayHours: { from: number; to: number };
  fields: Record<PersonalField, Role[]>;
  retention: { incidentMediaDaysAfterClose: number; monitoredReadingsDays: number; auditLogDays: number };
}

/** PIPL Art. 6 (minimum necessary): only the household's carers see names and phones in full. */
export const DEFAULT_FIELD_ROLES: Record<PersonalField, Role[]> = {
  name: ['special_care', 'grid_worker'],
  phone: ['special_care', 'grid_worker'],
  healthNote: ['special_care'],
  room: [
    'special_care',
    'grid_worker',
    'micro_grid_leader',
    'building_group_leader',
    'emergency_responder',
    'patrol_inspector',
    'property_manager',
    'dispatcher',
  ],
  absences: ['special_care', 'grid_worker', 'micro_grid_leader'],
};

export const DEFAULT_RETENTION = {
  incidentMediaDaysAfterClose: 30,
  monitoredReadingsDays: 180,
  auditLogDays: 3 * 365,
};

export function readPrivacyConfig(site: Site): PrivacyConfig {
  const raw = (site.privacy ?? {}) as Partial<PrivacyConfig>;
  return {
    consents: raw.consents ?? [],
    dayHours: { from: raw.dayHours?.from ?? 7, to: raw.dayHours?.to ?? 21 },
    fields: { ...DEFAULT_FIELD_ROLES, ...(raw.fields ?? {}) },
    retention: { ...DEFAULT_RETENTION, ...(raw.retention ?? {}) },
  };
}
