/**
 * Detections → alerts → incidents. Every detection becomes one alert (idempotent: the id comes
 * from its content). Notices (alerts below routing.pageFrom) open or join an incident that shows
 * on the console but pages nobody until an alert that pages joins it. Silenced alerts (a silence matches, or an inactivity alert about a household
 * recorded as away) and inhibited ones are stored but page nobody. Alerts with the
 * same dedupe key join the active incident (an occurrence count instead of a flood). A clear
 * arms a hold-down timer that auto-resolves only where the detector asked for it; a re-fire
 * inside the hold-down, or soon after an auto-resolution, is a flap: it reopens the same
 * incident, and too many flaps stop auto-resolution for it (damping).
 */
import type { Detection, Severity } from '../contracts/alerts.ts';
import { SEVERITIES } from '../contracts/alerts.ts';
import { contentId } from '../core/ids.ts';
import { buildAlert } from './alert-factory.ts';
import { pages, rolesFor } from './config.ts';
import type { AlertingCore } from './core.ts';
import type { CommandRunner } from './commands.ts';
import type { Escalator } from './escalation.ts';
import { type Incident, type IncidentTask, type StoredAlert } from './model.ts';
import type { SiteMode } from './mode.ts';
import { buildChain } from './router.ts';
import { findInhibitor, findSilence } from './silences.ts';
import type { TimerRow } from './store.ts';
import { ACTIVE_STATES, nextState, UNACCEPTED_STATES } from '../contracts/incidents.ts';

/** Kinds a household's recorded absence mutes (its leaks and fires still page). */
const MUTED_WHILE_AWAY: readonly string[] = ['elderly_inactivity'];
const rank = (s: Severity): number => SEVERITIES.indexOf(s);

export class IncidentManager {
  constructor(
    private readonly core: AlertingCore,
    private readonly escalator: Escalator,
    private readonly commands: CommandRunner,
    private readonly mode: SiteMode,
  ) {}

  /** Returns the alert created, or null for a duplicate or a clear. */
  onDetection(d: Detection): StoredAlert | null {
    const { core } = this;
    if (d.siteId !== core.ctx.site.siteId) {
      core.log.warn({ siteId: d.siteId, kind: d.kind }, 'detection for another site ignored');
      return null;
    }
    if (d.cleared) {
      this.onClear(d);
      return null;
    }
    const now = core.now;
    const alert = buildAlert(core.ctx.site, d, now);
    return core.work(() => {
      if (core.store.hasAlert(alert.id)) {
        core.metrics.duplicateDetections.inc();
        return null;
      }
      const silence = findSilence(core.records.silences(now), alert, now) ?? this.absenceCovering(alert, d);
      const inhibitable = core.config.routing.inhibitions.some((r) => r.targetKinds.includes(alert.kind));
      const inhibitor =
        silence || !inhibitable
          ? undefined
          : findInhibitor(
              core.config.routing.inhibitions,
              core.store.listIncidents({ states: ACTIVE_STATES, limit: 10_000 }),
              alert,
            );
      if (silence || inhibitor) {
        alert.status = silence ? 'silenced' : 'inhibited';
        alert.mutedBy = silence?.id ?? inhibitor!.id;
        // Muting pages nobody, but never stops a safety command (a port cut-off): it runs on the
        // incident it serves, opened without paging anyone when there is none.
        const served = this.commands.calledFor(alert) ? this.incidentForMuted(alert, d) : null;
        if (served) alert.incidentId = served.id;
        core.store.insertAlert(alert, now, d.eventTs);
        core.metrics.alerts.inc({ kind: alert.kind, severity: alert.severity, status: alert.status });
        // Still an alert on the MQTT feed (the contract: every alert), marked muted; it pages nobody.
        core.emitAlert(alert);
        if (served) this.commands.start(served, alert);
        return alert;
      }
      const autoEmergency =
        core.config.escalation.emergency.autoOnKinds.includes(d.kind) && d.severity === 'critical';
      if (autoEmergency && this.mode.mode === 'normal')
        this.mode.set('emergency', 'system', `auto: critical ${d.kind}`, this.escalator);

      // A notice (below routing.pageFrom) shows on the console but pages nobody (issue 13).
      const paging = pages(core.config, alert.severity);
      const latest = core.store.latestByDedupeKey(d.dedupeKey);
      const flapWindowMs = core.config.routing.grouping.flapWindowS * 1000;
      let incident: Incident;
      if (latest && ACTIVE_STATES.includes(latest.state)) {
        incident = latest;
        this.attach(incident, alert);
        this.addOccurrence(incident, alert, d);
        // Opened muted (for its safety command) or by a notice: the first alert that pages, pages.
        if (incident.openedMuted && paging) {
          incident.openedMuted = false;
          this.escalator.dispatch(incident, null);
        }
      } else if (
        latest?.state === 'resolved' &&
        latest.disposition === 'auto_cleared' &&
        now - (latest.resolvedAt ?? 0) < flapWindowMs
      ) {
        incident = latest;
        this.attach(incident, alert);
        this.reopen(incident, alert, d, paging);
      } else {
        incident = this.newIncident(alert, d);
        incident.openedMuted = !paging;
        this.attach(incident, alert);
        const data = paging ? { alertId: alert.id } : { alertId: alert.id, notice: true };
        core.change(incident, { type: 'opened', by: null, toState: 'open', data });
        core.metrics.incidentsOpened.inc({ kind: incident.kind, severity: incident.severity });
        if (paging) this.escalator.dispatch(incident, null);
      }
      this.commands.start(incident, alert);
      return alert;
    });
  }

  onAutoResolveTimer(row: TimerRow): void {
    const { core } = this;
    core.work(() => {
      core.timers.cancel(row.id);
      const incident = core.store.getIncident(row.incidentId);
      const toState = incident && nextState(incident.state, 'auto_resolve');
      if (!incident || incident.clearedAt === null || !toState) return;
      incident.resolvedAt = core.now;
      incident.disposition = 'auto_cleared';
      this.escalator.closed(incident);
      core.store.setAlertsStatus(incident.id, 'resolved');
      core.change(incident, { type: 'auto_resolved', by: null, toState });
    });
  }

  /**
   * A recorded absence (hospital, family stay) mutes inactivity alerts about that household for
   * its duration, whoever raised them: the model already holds its own, but a rule or a flow
   * does not know — and a silent flat whose resident is away is the classic false alarm.
   */
  private absenceCovering(alert: StoredAlert, d: Detection): { id: string } | undefined {
    const household = alert.location.household;
    if (!household || !MUTED_WHILE_AWAY.includes(alert.kind)) return undefined;
    return this.core.records.absences(household).find((a) => a.from <= d.eventTs && d.eventTs < a.to);
  }

  /** The active incident of a muted alert's dedupe key, or a new one that pages nobody. */
  private incidentForMuted(alert: StoredAlert, d: Detection): Incident {
    const latest = this.core.store.latestByDedupeKey(d.dedupeKey);
    if (latest && ACTIVE_STATES.includes(latest.state)) return latest;
    const incident = this.newIncident(alert, d);
    incident.openedMuted = true;
    this.core.change(incident, {
      type: 'opened',
      by: null,
      toState: 'open',
      data: { alertId: alert.id, mutedBy: alert.mutedBy },
    });
    this.core.metrics.incidentsOpened.inc({ kind: incident.kind, severity: incident.severity });
    return incident;
  }

  private attach(incident: Incident, alert: StoredAlert): void {
    alert.incidentId = incident.id;
    this.core.store.insertAlert(alert, this.core.now, Date.parse(alert.eventTs));
    this.core.metrics.alerts.inc({ kind: alert.kind, severity: alert.severity, status: 'firing' });
    this.core.emitAlert(alert);
  }

  private newIncident(alert: StoredAlert, d: Detection): Incident {
    const { core } = this;
    const emergency = this.mode.mode === 'emergency';
    const em = core.config.escalation.emergency;
    const chain = buildChain(core.ctx.site, {
      gridNode: alert.gridNode,
      roles: rolesFor(core.config, d.kind),
      supervisorRoles: core.config.routing.supervisorRoles,
      ...(emergency ? { extraRoles: em.extraRoles, pageBothPosts: em.pageBothPosts } : {}),
    });
    const id = contentId('inc', alert.siteId, d.dedupeKey, alert.id);
    const eventTs = Date.parse(alert.eventTs);
    return {
      id,
      siteId: alert.siteId,
      kind: alert.kind,
      severity: alert.severity,
      state: 'open',
      dedupeKey: d.dedupeKey,
      texts: alert.texts,
      location: alert.location,
      gridNode: alert.gridNode,
      grid: alert.grid,
      source: alert.source,
      occurrences: 1,
      firstAlertId: alert.id,
      lastAlertId: alert.id,
      firstEventTs: eventTs,
      lastEventTs: eventTs,
      createdAt: core.now,
      updatedAt: core.now,
      emergency,
      chain,
      escalationStep: 0,
      paged: [],
      assignees: [],
      acceptedBy: null,
      acceptedAt: null,
      arrivedAt: null,
      resolvedBy: null,
      resolvedAt: null,
      disposition: null,
      resolutionNote: null,
      photos: [],
      reviewedBy: null,
      reviewedAt: null,
      rating: null,
      reviewNote: null,
      autoResolve: d.autoResolve === true,
      clearedAt: null,
      flapping: false,
      flapTimes: [],
      tasks: this.tasksFor(id, d.kind),
      commands: [],
      lastChange: { type: 'opened', at: core.now, by: null },
    };
  }

  private tasksFor(incidentId: string, kind: string): IncidentTask[] {
    return (this.core.config.playbooks[kind]?.tasks ?? []).map((t, i) => ({
      id: `${incidentId}:t${i + 1}`,
      role: t.role,
      title: t.title,
      checklist: t.checklist.map((text) => ({ text, done: false, by: null, at: null })),
      status: 'pending',
    }));
  }

  private addOccurrence(incident: Incident, alert: StoredAlert, d: Detection): void {
    incident.occurrences += 1;
    incident.lastAlertId = alert.id;
    incident.lastEventTs = Math.max(incident.lastEventTs, d.eventTs);
    const data: Record<string, unknown> = { alertId: alert.id, occurrences: incident.occurrences };
    const raised = rank(d.severity) < rank(incident.severity);
    if (raised) {
      data.severityFrom = incident.severity;
      incident.severity = d.severity;
      this.grow(incident, alert, data);
      this.escalator.severityRaised(incident);
    }
    if (incident.clearedAt !== null) {
      this.core.timers.cancel(`${incident.id}:auto_resolve`);
      incident.clearedAt = null;
      this.flap(incident);
    }
    this.core.change(incident, { type: 'occurrence', by: null, data });
  }

  /**
   * A more severe alert joining says what the danger has become (a shed's pre-alarm turning into
   * its fire, a camera's watch into the model's traced throw): the incident takes its words and
   * kind and the device that tells it best, and the new kind's tasks go before those already
   * under way (what to do first follows the danger).
   */
  private grow(incident: Incident, alert: StoredAlert, data: Record<string, unknown>): void {
    incident.texts = alert.texts;
    incident.source = alert.source;
    if (alert.kind === incident.kind) return;
    data.kindFrom = incident.kind;
    incident.kind = alert.kind;
    incident.autoResolve = false;
    const have = new Set(incident.tasks.map((t) => t.id));
    const added = this.tasksFor(incident.id, alert.kind).map((t) => ({ ...t, id: `${t.id}:${alert.kind}` }));
    incident.tasks.unshift(...added.filter((t) => !have.has(t.id)));
  }

  private reopen(incident: Incident, alert: StoredAlert, d: Detection, paging: boolean): void {
    incident.occurrences += 1;
    incident.lastAlertId = alert.id;
    incident.lastEventTs = Math.max(incident.lastEventTs, d.eventTs);
    incident.resolvedAt = null;
    incident.disposition = null;
    incident.clearedAt = null;
    this.flap(incident);
    this.core.store.setAlertsStatus(incident.id, 'firing');
    this.core.change(incident, {
      type: 'reopened',
      by: null,
      toState: nextState(incident.state, 'reopen') ?? undefined,
      data: { alertId: alert.id },
    });
    if (paging) this.escalator.dispatch(incident, null);
    else incident.openedMuted = true;
  }

  /** Counts a flap; past the threshold inside the window the incident stops auto-resolving. */
  private flap(incident: Incident): void {
    const { flapWindowS, flapThreshold } = this.core.config.routing.grouping;
    const now = this.core.now;
    incident.flapTimes = [...incident.flapTimes.filter((t) => now - t < flapWindowS * 1000), now];
    if (!incident.flapping && incident.flapTimes.length >= flapThreshold) {
      incident.flapping = true;
      this.core.change(incident, { type: 'flapping', by: null, data: { flaps: incident.flapTimes.length } });
    }
  }

  private onClear(d: Detection): void {
    const { core } = this;
    core.work(() => {
      const incident = core.store.latestByDedupeKey(d.dedupeKey);
      if (!incident || !ACTIVE_STATES.includes(incident.state) || incident.clearedAt !== null) return;
      // A pre-alarm's all-clear does not clear the fire it grew into.
      if (d.kind !== incident.kind) return;
      incident.clearedAt = core.now;
      const auto =
        (d.autoResolve ?? incident.autoResolve) &&
        !incident.flapping &&
        UNACCEPTED_STATES.includes(incident.state);
      core.change(incident, {
        type: 'cleared',
        by: null,
        data: { eventTs: new Date(d.eventTs).toISOString(), autoResolve: auto },
      });
      if (auto)
        core.timers.schedule(
          `${incident.id}:auto_resolve`,
          incident.id,
          'auto_resolve',
          core.now + core.config.routing.grouping.clearHoldS * 1000,
        );
    });
  }
}
