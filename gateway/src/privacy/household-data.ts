/**
 * Everything the gateway holds about one household, found and removed in one place (PIPL
 * Arts. 45, 47): its meters' readings, events, rejected messages and rule windows, its alerts
 * and incidents with their history, timers and outgoing messages, absences, visits, corrections
 * and consent records. An incident on legal hold is kept; so are the access and custody logs
 * (Arts. 55–56 records) and the meter's own health (online, battery: the utility's asset).
 */
import type { Household } from '../contracts/site.ts';
import type { SiteIndex } from '../site/site-index.ts';
import type { Database } from '../store/database.ts';
import type { Corrections } from './corrections.ts';
import type { LegalHolds } from './legal-holds.ts';
import { ACTIVE_STATES } from '../contracts/incidents.ts';

type Row = Record<string, unknown>;

export interface HouseholdRecords {
  readings: Row[];
  deviceEvents: Row[];
  deadLetters: Row[];
  alerts: Row[];
  incidents: Row[];
  history: Row[];
  absences: Row[];
  visits: Row[];
  corrections: Row[];
}

export class HouseholdData {
  constructor(
    private readonly db: Database,
    private readonly site: SiteIndex,
    private readonly holds: LegalHolds,
    private readonly corrections: Corrections,
  ) {}

  deviceIds(h: Household): string[] {
    return this.site
      .allDevices()
      .filter((d) => d.household === h.id)
      .map((d) => d.id);
  }

  private incidentIds(h: Household): string[] {
    const devices = this.deviceIds(h);
    return (
      this.db
        .prepare(
          `SELECT id FROM alerting_incidents WHERE json_extract(doc, '$.location.household') = ?
           OR json_extract(doc, '$.source.deviceId') IN (SELECT value FROM json_each(?))`,
        )
        .all(h.id, JSON.stringify(devices)) as Row[]
    ).map((r) => String(r.id));
  }

  private hasTable(name: string): boolean {
    return Boolean(
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name),
    );
  }

  private in(table: string, column: string, values: string[]): Row[] {
    if (!this.hasTable(table)) return [];
    return this.db
      .prepare(`SELECT * FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(values)) as Row[];
  }

  /** Open incidents of the household and who handles each (paged, assigned or accepted). */
  openIncidents(h: Household): Array<{ id: string; kind: string; handlers: string[] }> {
    return this.in('alerting_incidents', 'id', this.incidentIds(h))
      .filter((r) => (ACTIVE_STATES as readonly string[]).includes(String(r.state)))
      .map((r) => {
        const doc = JSON.parse(String(r.doc)) as {
          paged: Array<{ staffId: string }>;
          assignees: string[];
          acceptedBy: string | null;
        };
        const handlers = new Set([...doc.paged.map((p) => p.staffId), ...doc.assignees]);
        if (doc.acceptedBy) handlers.add(doc.acceptedBy);
        return { id: String(r.id), kind: String(r.kind), handlers: [...handlers] };
      });
  }

  collect(h: Household): HouseholdRecords {
    const devices = this.deviceIds(h);
    const incidents = this.incidentIds(h);
    return {
      readings: this.in('readings', 'device_id', devices),
      deviceEvents: this.in('device_events', 'device_id', devices),
      deadLetters: this.in('dead_letters', 'device_id', devices),
      alerts: [
        ...this.in('alerting_alerts', 'incident_id', incidents),
        ...(this.db
          .prepare(
            `SELECT * FROM alerting_alerts WHERE incident_id IS NULL AND (json_extract(doc, '$.location.household') = ?
             OR json_extract(doc, '$.source.deviceId') IN (SELECT value FROM json_each(?)))`,
          )
          .all(h.id, JSON.stringify(devices)) as Row[]),
      ],
      incidents: this.in('alerting_incidents', 'id', incidents),
      history: this.in('alerting_history', 'incident_id', incidents),
      absences: this.in('alerting_absences', 'household', [h.id]),
      visits: this.in('alerting_visits', 'household', [h.id]),
      corrections: this.in('privacy_corrections', 'household', [h.id]),
    };
  }

  /** Deletes what `collect` finds, except incidents on legal hold; counts per table and what was held. */
  erase(h: Household): { deleted: Record<string, number>; held: string[] } {
    const devices = JSON.stringify(this.deviceIds(h));
    const held = this.incidentIds(h).filter((id) => this.holds.isHeld(id));
    const gone = JSON.stringify(this.incidentIds(h).filter((id) => !held.includes(id)));
    const deleted: Record<string, number> = {};
    const run = (name: string, sql: string, ...args: unknown[]): void => {
      // A gateway without the channels stage has no channels tables to clean.
      if (!this.hasTable(/FROM (\w+)/.exec(sql)![1]!)) return;
      deleted[name] = (deleted[name] ?? 0) + this.db.prepare(sql).run(...args).changes;
    };
    const inDevices = 'IN (SELECT value FROM json_each(?))';
    this.db.transaction(() => {
      run('readings', `DELETE FROM readings WHERE device_id ${inDevices}`, devices);
      run('deviceEvents', `DELETE FROM device_events WHERE device_id ${inDevices}`, devices);
      run('deadLetters', `DELETE FROM dead_letters WHERE device_id ${inDevices}`, devices);
      // Rule windows over the meter's readings (subject `device:<id>` or `device:<id>#<stream>`).
      run(
        'ruleState',
        `DELETE FROM rule_state WHERE EXISTS (SELECT 1 FROM json_each(?) WHERE subject_key = 'device:' || value
         OR subject_key LIKE 'device:' || value || '#%')`,
        devices,
      );
      for (const [name, table] of [
        ['history', 'alerting_history'],
        ['timers', 'alerting_timers'],
        ['alerts', 'alerting_alerts'],
        ['deliveries', 'channels_deliveries'],
      ] as const)
        run(name, `DELETE FROM ${table} WHERE incident_id ${inDevices}`, gone);
      run('outbox', `DELETE FROM outbox WHERE kind = 'delivery' AND incident_id ${inDevices}`, gone);
      run(
        'alerts',
        `DELETE FROM alerting_alerts WHERE incident_id IS NULL AND (json_extract(doc, '$.location.household') = ?
         OR json_extract(doc, '$.source.deviceId') ${inDevices})`,
        h.id,
        devices,
      );
      run('incidents', `DELETE FROM alerting_incidents WHERE id ${inDevices}`, gone);
      // Outgoing MQTT copies name the household or its meter in their payload.
      run(
        'mqttOutbox',
        `DELETE FROM outbox WHERE kind = 'mqtt' AND (json_extract(payload, '$.location.household') = ?
         OR json_extract(payload, '$.source.deviceId') ${inDevices}
         OR json_extract(payload, '$.id') ${inDevices} OR json_extract(payload, '$.incidentId') ${inDevices})`,
        h.id,
        devices,
        gone,
        gone,
      );
      run('absences', 'DELETE FROM alerting_absences WHERE household = ?', h.id);
      run('visits', 'DELETE FROM alerting_visits WHERE household = ?', h.id);
      deleted.corrections = this.corrections.erase(h.id);
    })();
    return { deleted, held };
  }
}
