/**
 * The street's desk: what the uplink records mean at the street, and what the street does.
 * An incident its community escalated to the street's grid node and nobody accepted is paged to
 * the street duty officer, reminded, and after `escalation.acceptS` paged to the street
 * administrator — on timers that are rows (`hub_jobs`). Acceptances, hand-backs, street-wide
 * emergency mode and street silences become downlink actions for the gateways, which apply
 * and record them like local ones and report the result back up.
 */
import type { DownlinkKind } from '../contracts/hub.ts';
import type { PoolClient } from './database.ts';
import type { Street } from './street-file.ts';
import { UNACCEPTED_STATES, type IncidentState } from '../contracts/incidents.ts';

export type StreetIncidentAction = 'accept' | 'handBack';
const INCIDENT_ACTIONS: Record<StreetIncidentAction, [DownlinkKind, string]> = {
  accept: ['incident_accept', 'street_accepted'],
  handBack: ['incident_hand_back', 'street_handed_back'],
};

export interface JobRow {
  id: number;
  kind: 'street_reminder' | 'street_escalate';
  site_id: string;
  incident_id: string;
  due_at: number;
}

export class StreetDesk {
  constructor(private readonly street: Street) {}

  private get streetLevel(): string {
    return `grid:${this.street.gridId}`;
  }

  private accounts(role: string): string[] {
    return this.street.staff.filter((s) => !s.site && s.roles.includes(role as never)).map((s) => s.username);
  }

  /** Applies one stored uplink record to the street's picture. */
  async onRecord(
    db: PoolClient,
    siteId: string,
    kind: string,
    body: Record<string, unknown>,
    now: number,
  ): Promise<void> {
    switch (kind) {
      case 'incident':
        return this.onIncident(db, siteId, body, now);
      case 'device_health':
        await db.query(
          `INSERT INTO hub_devices (site_id, device_id, status, last_seen, battery, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (site_id, device_id) DO UPDATE SET status = $3, last_seen = $4, battery = $5, updated_at = $6`,
          [
            siteId,
            String(body.deviceId),
            String(body.status),
            body.lastSeen ?? null,
            body.batteryPct ?? null,
            now,
          ],
        );
        return;
      case 'site_mode':
        await db.query('UPDATE hub_communities SET mode = $2 WHERE site_id = $1', [
          siteId,
          String(body.mode),
        ]);
        return;
      case 'action_result':
        await db.query('UPDATE hub_downlink SET outcome = $3, message = $4 WHERE site_id = $1 AND seq = $2', [
          siteId,
          Number(body.downlinkSeq),
          String(body.outcome),
          (body.message as string | null) ?? null,
        ]);
        return;
    }
  }

  private async onIncident(
    db: PoolClient,
    siteId: string,
    view: Record<string, unknown>,
    now: number,
  ): Promise<void> {
    const id = String(view.id);
    const state = String(view.state);
    const atStreet =
      UNACCEPTED_STATES.includes(state as IncidentState) && view.escalationLevel === this.streetLevel;
    const ms = (v: unknown): number | null => (typeof v === 'string' ? Date.parse(v) : null);
    const prev = (
      await db.query('SELECT street_since FROM hub_incidents WHERE site_id = $1 AND incident_id = $2', [
        siteId,
        id,
      ])
    ).rows[0] as { street_since: number | null } | undefined;
    const since = atStreet ? (prev?.street_since ?? now) : null;
    await db.query(
      `INSERT INTO hub_incidents (site_id, incident_id, kind, severity, state, created_at, updated_at, accepted_at,
         disposition, street_since, changes, doc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11)
       ON CONFLICT (site_id, incident_id) DO UPDATE SET severity = $4, state = $5, updated_at = $7, accepted_at = $8,
         disposition = $9, street_since = $10, changes = hub_incidents.changes + 1, doc = $11`,
      [
        siteId,
        id,
        String(view.kind),
        String(view.severity),
        state,
        ms(view.createdAt),
        ms(view.updatedAt),
        ms(view.acceptedAt),
        view.disposition ?? null,
        since,
        view,
      ],
    );
    if (atStreet && !prev?.street_since) {
      await this.event(db, siteId, id, now, 'street_paged', null, null, {
        paged: this.accounts('street_duty'),
      });
      await this.schedule(db, 'street_reminder', siteId, id, now + this.street.escalation.reminderS * 1000);
      await this.schedule(db, 'street_escalate', siteId, id, now + this.street.escalation.acceptS * 1000);
    }
    if (!atStreet) await this.cancelJobs(db, siteId, id);
  }

  /** Runs one claimed timer (inside the transaction that marks it done). */
  async runJob(db: PoolClient, job: JobRow, now: number, replica: string): Promise<void> {
    const row = (
      await db.query('SELECT street_since FROM hub_incidents WHERE site_id = $1 AND incident_id = $2', [
        job.site_id,
        job.incident_id,
      ])
    ).rows[0] as { street_since: number | null } | undefined;
    const live = Boolean(row?.street_since);
    const data = { replica, dueAt: job.due_at, lateMs: now - job.due_at };
    if (job.kind === 'street_reminder') {
      await this.event(
        db,
        job.site_id,
        job.incident_id,
        now,
        live ? 'street_reminded' : 'street_timer_void',
        null,
        job.id,
        {
          ...data,
          paged: this.accounts('street_duty'),
        },
      );
      if (live)
        await this.schedule(
          db,
          'street_reminder',
          job.site_id,
          job.incident_id,
          job.due_at + this.street.escalation.reminderS * 1000,
        );
      return;
    }
    await this.event(
      db,
      job.site_id,
      job.incident_id,
      now,
      live ? 'street_escalated' : 'street_timer_void',
      null,
      job.id,
      {
        ...data,
        paged: this.accounts('street_admin'),
      },
    );
  }

  /**
   * Street duty accepts (jobs stop here) or hands back: recorded at the street and sent down to the
   * community, which applies it like a local step. Returns the downlink sequence.
   */
  async incidentAction(
    db: PoolClient,
    action: StreetIncidentAction,
    by: string,
    siteId: string,
    incidentId: string,
    note: string | null,
    now: number,
  ): Promise<number> {
    const [kind, eventType] = INCIDENT_ACTIONS[action];
    await this.cancelJobs(db, siteId, incidentId);
    await this.event(db, siteId, incidentId, now, eventType, by, null, { note });
    return this.send(db, siteId, kind, by, now, { incidentId, note });
  }

  /** Street-wide emergency mode (平战结合): one action to every community of the street. */
  async setMode(
    db: PoolClient,
    by: string,
    mode: 'normal' | 'emergency',
    reason: string | null,
    now: number,
  ): Promise<void> {
    await this.event(db, null, null, now, 'street_mode', by, null, { mode, reason });
    for (const c of this.street.communities)
      await this.send(db, c.siteId, 'site_mode', by, now, { mode, reason });
  }

  async silence(
    db: PoolClient,
    by: string,
    siteIds: string[],
    body: Record<string, unknown>,
    now: number,
  ): Promise<void> {
    await this.event(db, null, null, now, 'street_silence', by, null, { ...body, siteIds });
    for (const siteId of siteIds) await this.send(db, siteId, 'silence', by, now, body);
  }

  /** Queues an action for one gateway in its own sequence (the row lock keeps the sequence gap-free). */
  private async send(
    db: PoolClient,
    siteId: string,
    kind: DownlinkKind,
    by: string,
    now: number,
    body: unknown,
  ): Promise<number> {
    const seq = Number(
      (
        await db.query(
          'UPDATE hub_communities SET downlink_seq = downlink_seq + 1 WHERE site_id = $1 RETURNING downlink_seq',
          [siteId],
        )
      ).rows[0].downlink_seq,
    );
    await db.query(
      'INSERT INTO hub_downlink (site_id, seq, kind, by, at, body) VALUES ($1, $2, $3, $4, $5, $6)',
      [siteId, seq, kind, by, now, JSON.stringify(body)],
    );
    return seq;
  }

  private async schedule(
    db: PoolClient,
    kind: JobRow['kind'],
    siteId: string,
    incidentId: string,
    dueAt: number,
  ): Promise<void> {
    await db.query('INSERT INTO hub_jobs (kind, site_id, incident_id, due_at) VALUES ($1, $2, $3, $4)', [
      kind,
      siteId,
      incidentId,
      Math.round(dueAt),
    ]);
  }

  private async cancelJobs(db: PoolClient, siteId: string, incidentId: string): Promise<void> {
    await db.query(
      `UPDATE hub_jobs SET state = 'cancelled' WHERE site_id = $1 AND incident_id = $2 AND state = 'pending'`,
      [siteId, incidentId],
    );
  }

  private async event(
    db: PoolClient,
    siteId: string | null,
    incidentId: string | null,
    at: number,
    type: string,
    by: string | null,
    jobId: number | null,
    data: Record<string, unknown>,
  ): Promise<void> {
    await db.query(
      'INSERT INTO hub_street_events (site_id, incident_id, at, type, by, job_id, data) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [siteId, incidentId, at, type, by, jobId, JSON.stringify(data)],
    );
  }
}
