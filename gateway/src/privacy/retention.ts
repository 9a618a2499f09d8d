/**
 * Retention per data class (PIPL Art. 19: kept no longer than the purpose needs; Art. 47(1)
 * deletion when it is reached): incident clips and snapshots some days after the case closed,
 * unless on legal hold; raw water readings of monitored households; the access log itself. Run
 * hourly on the gateway's clock; what goes is counted in `weige_privacy_deleted_total{class}`
 * and written to the audit log.
 */
import { Counter, type Registry } from 'prom-client';
import type { SiteIndex } from '../site/site-index.ts';
import type { Database } from '../store/database.ts';
import type { AuditLog } from './audit-log.ts';
import type { PrivacyConfig } from './config.ts';
import type { LegalHolds } from './legal-holds.ts';
import { CLOSED_STATES } from '../contracts/incidents.ts';

/** Meters and contacts that watch how a person living alone lives (water, and presence: issue 13). */
const MONITORED_KINDS = new Set(['water_meter', 'electricity_meter', 'door_contact']);

const DAY_MS = 86_400_000;
/** Keys whose values are camera media (links or inline images). */
const MEDIA_KEY = /(url|urls|link|links|href|snapshot|clip|image|photo|photos)$/i;

export type RetentionClass = 'incident_media' | 'monitored_readings' | 'audit_log';

export interface RetentionDeps {
  db: Database;
  site: SiteIndex;
  config: PrivacyConfig;
  audit: AuditLog;
  holds: LegalHolds;
  registry: Registry;
}

/** Removes media under `value`; returns the stripped copy and how many items went. */
export function stripMedia(value: unknown, key = ''): { value: unknown; removed: number } {
  if (MEDIA_KEY.test(key) && value !== null && value !== undefined)
    return { value: undefined, removed: Array.isArray(value) ? value.length : 1 };
  if (Array.isArray(value)) {
    let removed = 0;
    const out = value.map((v) => {
      const r = stripMedia(v);
      removed += r.removed;
      return r.value;
    });
    return { value: out, removed };
  }
  if (value && typeof value === 'object') {
    let removed = 0;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const r = stripMedia(v, k);
      removed += r.removed;
      if (r.value !== undefined) out[k] = r.value;
    }
    return { value: out, removed };
  }
  return { value, removed: 0 };
}

export class RetentionJob {
  private readonly deletedTotal: Counter<'class'>;

  constructor(private readonly deps: RetentionDeps) {
    const existing = deps.registry.getSingleMetric('weige_privacy_deleted_total') as
      Counter<'class'> | undefined;
    this.deletedTotal =
      existing ??
      new Counter({
        name: 'weige_privacy_deleted_total',
        help: 'Personal data deleted by retention, by data class (items: media links, readings, audit entries)',
        labelNames: ['class'] as const,
        registers: [deps.registry],
      });
  }

  run(now: number): Record<RetentionClass, number> {
    const { retention } = this.deps.config;
    const counts: Record<RetentionClass, number> = {
      incident_media: this.pruneIncidentMedia(now - retention.incidentMediaDaysAfterClose * DAY_MS),
      monitored_readings: this.pruneMonitoredReadings(now - retention.monitoredReadingsDays * DAY_MS),
      audit_log: this.deps.audit.pruneBefore(now - retention.auditLogDays * DAY_MS, now),
    };
    for (const [cls, n] of Object.entries(counts)) if (n) this.deletedTotal.inc({ class: cls }, n);
    if (Object.values(counts).some((n) => n > 0))
      this.deps.audit.record({
        at: now,
        actor: 'system',
        roles: [],
        action: 'retention',
        subject: 'site',
        fields: [],
        ip: null,
        purpose: 'retention',
        detail: { deleted: counts },
      });
    return counts;
  }

  private pruneIncidentMedia(closedBefore: number): number {
    const { db, holds } = this.deps;
    let removed = 0;
    const incidents = db
      .prepare(`SELECT id, doc FROM alerting_incidents WHERE state IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(CLOSED_STATES)) as Array<{ id: string; doc: string }>;
    db.transaction(() => {
      for (const row of incidents) {
        const doc = JSON.parse(row.doc) as {
          resolvedAt?: number | null;
          updatedAt: number;
          photos?: string[];
        };
        const closedAt = doc.resolvedAt ?? doc.updatedAt;
        if (closedAt >= closedBefore || holds.isHeld(row.id)) continue;
        if (doc.photos?.length) {
          removed += doc.photos.length;
          db.prepare('UPDATE alerting_incidents SET doc = ? WHERE id = ?').run(
            JSON.stringify({ ...doc, photos: [] }),
            row.id,
          );
        }
        const alerts = db
          .prepare('SELECT id, doc FROM alerting_alerts WHERE incident_id = ?')
          .all(row.id) as Array<{
          id: string;
          doc: string;
        }>;
        for (const a of alerts) {
          const alert = JSON.parse(a.doc) as { evidence?: unknown };
          const stripped = stripMedia(alert.evidence ?? {});
          if (!stripped.removed) continue;
          removed += stripped.removed;
          db.prepare('UPDATE alerting_alerts SET doc = ? WHERE id = ?').run(
            JSON.stringify({ ...alert, evidence: stripped.value }),
            a.id,
          );
        }
      }
    })();
    return removed;
  }

  private pruneMonitoredReadings(before: number): number {
    const devices = this.deps.site
      .allDevices()
      .filter((d) => MONITORED_KINDS.has(d.kind) && this.deps.site.household(d.household)?.livesAlone)
      .map((d) => d.id);
    return this.deps.db
      .prepare('DELETE FROM readings WHERE ts < ? AND device_id IN (SELECT value FROM json_each(?))')
      .run(before, JSON.stringify(devices)).changes;
  }
}
