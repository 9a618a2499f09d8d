/**
 * What every stage may ask about privacy: the site's privacy settings, consent per household,
 * legal holds, where a household's data lives, and the personal-data access log. Built by the
 * composition root (gateway.ts) and handed over in the context, so the detectors, alerting and
 * the API judge consent, mask fields and log reads the same way.
 */
import type { SiteIndex } from '../site/site-index.ts';
import type { Household, Role } from '../contracts/site.ts';
import type { Database } from '../store/database.ts';
import { AuditLog } from './audit-log.ts';
import { readPrivacyConfig, type PersonalField, type PrivacyConfig } from './config.ts';
import { ConsentRegistry } from './consent.ts';
import { Corrections } from './corrections.ts';
import { HouseholdData } from './household-data.ts';
import { LegalHolds } from './legal-holds.ts';
import type { PersonalView } from '../contracts/privacy.ts';
import { personalView, seesInFull, type Viewer } from './masking.ts';

/** Who is reading, as the API knows them. */
export interface Reader {
  id: string;
  roles: Role[];
  ip: string | null;
  /** True when the household's grid node lies within the reader's grid. */
  covers: (grid: string) => boolean;
}

export class PrivacyCore {
  readonly config: PrivacyConfig;
  readonly consent: ConsentRegistry;
  readonly audit: AuditLog;
  readonly holds: LegalHolds;
  readonly corrections: Corrections;
  readonly households: HouseholdData;

  constructor(
    db: Database,
    private readonly site: SiteIndex,
  ) {
    this.config = readPrivacyConfig(site.site);
    this.audit = new AuditLog(db);
    this.consent = new ConsentRegistry(db, this.config, site.site.timezone);
    this.holds = new LegalHolds(db);
    this.corrections = new Corrections(db);
    this.households = new HouseholdData(db, site, this.holds, this.corrections);
    // An erasure is remembered only in the audit log (the one record that must outlive it).
    for (const e of this.audit.entries({ action: 'erase' }))
      if (String(e.detail?.outcome).startsWith('done'))
        this.consent.markErased(e.subject.replace(/^household:/, ''));
  }

  /** A household watched for inactivity under a current consent (the care pages list only these). */
  isMonitored(h: Household): boolean {
    return h.livesAlone && this.consent.monitors(h.id);
  }

  /** The household with corrections applied (contacts and phone corrected on request). */
  effective(h: Household): Household {
    return this.corrections.apply(h);
  }

  viewer(reader: Reader, h: Household): { viewer: Viewer; purpose: string | null } {
    const handled = this.households.openIncidents(h).find((i) => i.handlers.includes(reader.id));
    return {
      viewer: {
        id: reader.id,
        roles: reader.roles,
        covers: reader.covers(h.grid),
        handles: Boolean(handled),
      },
      purpose: handled?.id ?? null,
    };
  }

  seesInFull(reader: Reader, h: Household, field: PersonalField): boolean {
    return seesInFull(field, h, this.viewer(reader, h).viewer, this.config);
  }

  /** The household's personal view for `reader`, the read written to the access log. */
  readHousehold(reader: Reader, household: Household, at: number): PersonalView {
    const h = this.effective(household);
    const { viewer, purpose } = this.viewer(reader, h);
    const { view, fields } = personalView(h, viewer, this.config);
    this.logRead(reader, `household:${h.id}`, fields, at, purpose);
    return view;
  }

  logRead(reader: Reader, subject: string, fields: string[], at: number, purpose: string | null): void {
    this.audit.record({
      at,
      actor: reader.id,
      roles: reader.roles,
      action: 'read',
      subject,
      fields,
      ip: reader.ip,
      purpose,
    });
  }
}
