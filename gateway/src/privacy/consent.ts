/**
 * Consent per household (PIPL Arts. 14, 29: separate consent for sensitive data; Art. 15:
 * withdrawal at any time). The site file carries signed forms; the API records later consents
 * and withdrawals, the newest of either winning. Monitoring (inactivity detection, alerts, the
 * care pages) needs a current consent; without one the meter's readings are utility data only.
 */
import { migrate, type Database } from '../store/database.ts';
import type { PrivacyConfig, SiteConsent } from './config.ts';

export interface ConsentState {
  household: string;
  status: 'given' | 'withdrawn';
  by: 'resident' | 'guardian' | null;
  signer: string | null;
  monitoring: 'day_only' | 'round_the_clock' | null;
  shareWithFamily: boolean;
  shareWithStreet: boolean;
  /** When signed or withdrawn (epoch ms). */
  at: number;
  form: string | null;
  recordedBy: string;
  source: 'site' | 'api';
}

type Row = Record<string, unknown>;

function fromSite(c: SiteConsent): ConsentState {
  return {
    household: c.household,
    status: 'given',
    by: c.by,
    signer: c.signer ?? null,
    monitoring: c.monitoring,
    shareWithFamily: c.shareWithFamily ?? false,
    shareWithStreet: c.shareWithStreet ?? false,
    at: Date.parse(c.at),
    form: c.form,
    recordedBy: 'site',
    source: 'site',
  };
}

export class ConsentRegistry {
  private readonly current = new Map<string, ConsentState>();
  private readonly erased = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly config: PrivacyConfig,
    private readonly timezone: string,
  ) {
    migrate(db, 'privacy_consent', [
      `CREATE TABLE privacy_consents (seq INTEGER PRIMARY KEY, household TEXT NOT NULL, status TEXT NOT NULL,
        by_kind TEXT, signer TEXT, monitoring TEXT, share_family INTEGER NOT NULL, share_street INTEGER NOT NULL,
        at INTEGER NOT NULL, form TEXT, recorded_by TEXT NOT NULL);
       CREATE INDEX privacy_consents_household ON privacy_consents (household, seq)`,
    ]);
    for (const c of config.consents) this.current.set(c.household, fromSite(c));
    for (const r of this.db.prepare('SELECT * FROM privacy_consents ORDER BY seq').all() as Row[]) {
      const state = toState(r);
      const known = this.current.get(state.household);
      if (!known || known.at <= state.at) this.current.set(state.household, state);
    }
  }

  /** Households erased on request: never monitored again from what the site file still says. */
  markErased(householdId: string): void {
    this.erased.add(householdId);
    this.current.delete(householdId);
  }

  state(householdId: string): ConsentState | null {
    return this.erased.has(householdId) ? null : (this.current.get(householdId) ?? null);
  }

  /** True when a current consent covers monitoring this household. */
  monitors(householdId: string): boolean {
    return this.state(householdId)?.status === 'given';
  }

  /** True when an alert about this household at `ts` is covered (day_only: the site's day hours). */
  allowsAlertAt(householdId: string, ts: number): boolean {
    const s = this.state(householdId);
    if (s?.status !== 'given') return false;
    if (s.monitoring === 'round_the_clock') return true;
    const hour = Number(
      new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: this.timezone }).format(
        ts,
      ),
    );
    return hour >= this.config.dayHours.from && hour < this.config.dayHours.to;
  }

  record(state: Omit<ConsentState, 'source'>): ConsentState {
    this.db
      .prepare(
        `INSERT INTO privacy_consents (household, status, by_kind, signer, monitoring, share_family, share_street, at, form, recorded_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        state.household,
        state.status,
        state.by,
        state.signer,
        state.monitoring,
        state.shareWithFamily ? 1 : 0,
        state.shareWithStreet ? 1 : 0,
        state.at,
        state.form,
        state.recordedBy,
      );
    const full: ConsentState = { ...state, source: 'api' };
    this.erased.delete(state.household);
    this.current.set(state.household, full);
    return full;
  }

  /** The household's consent history, oldest first (the site form, then API records). */
  history(householdId: string): ConsentState[] {
    const site = this.config.consents.filter((c) => c.household === householdId).map(fromSite);
    const rows = this.db
      .prepare('SELECT * FROM privacy_consents WHERE household = ? ORDER BY seq')
      .all(householdId) as Row[];
    return this.erased.has(householdId) ? [] : [...site, ...rows.map(toState)];
  }

  /** Erasure: the API records about the household go (the audit log keeps that they existed). */
  erase(householdId: string): number {
    const n = this.db.prepare('DELETE FROM privacy_consents WHERE household = ?').run(householdId).changes;
    this.markErased(householdId);
    return n;
  }
}

function toState(r: Row): ConsentState {
  return {
    household: String(r.household),
    status: r.status as ConsentState['status'],
    by: (r.by_kind as ConsentState['by']) ?? null,
    signer: (r.signer as string | null) ?? null,
    monitoring: (r.monitoring as ConsentState['monitoring']) ?? null,
    shareWithFamily: r.share_family === 1,
    shareWithStreet: r.share_street === 1,
    at: Number(r.at),
    form: (r.form as string | null) ?? null,
    recordedBy: String(r.recorded_by),
    source: 'api',
  };
}

/** Alert kinds that watch a person at home: raised only under a current consent. */
export const MONITORING_KINDS: readonly string[] = ['elderly_inactivity', 'continuous_water_flow'];

/** The household a monitoring detection is about, or null when the detection watches nobody at home. */
export function monitoredHouseholdOf(d: {
  kind: string;
  location: { household?: string | null };
}): string | null {
  return MONITORING_KINDS.includes(d.kind) ? (d.location.household ?? null) : null;
}
