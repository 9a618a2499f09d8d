/**
 * What the API may ask of alerting (api/routes/alerts, incidents, silences, households,
 * site-mode, stats): read alerts and incidents, take the people's steps, keep the records the
 * routes write (silences, absences, visits, evidence reads) and switch the site mode.
 */
import type { AlertingService } from './service.ts';
import type { AlertingRecords } from './records-store.ts';
import type { AlertingStore } from './store.ts';
import type { SiteModeName } from './escalation.ts';
import type { SiteMode } from './mode.ts';
import type { Workflow } from './workflow.ts';

export interface AlertingFacade {
  /** The site's event time now (the alerting clock). */
  now(): number;
  readonly store: Pick<
    AlertingStore,
    | 'listAlerts'
    | 'getAlert'
    | 'latestByDedupeKey'
    | 'getIncident'
    | 'listIncidents'
    | 'history'
    | 'alertsOfIncident'
    | 'alertFacts'
  >;
  readonly records: Pick<
    AlertingRecords,
    | 'logEvidenceAccess'
    | 'evidenceAccess'
    | 'insertAbsence'
    | 'absences'
    | 'insertVisit'
    | 'visits'
    | 'insertSilence'
    | 'silences'
    | 'expireSilence'
  >;
  readonly workflow: Pick<
    Workflow,
    | 'visible'
    | 'get'
    | 'accept'
    | 'arrive'
    | 'resolve'
    | 'review'
    | 'reassign'
    | 'escalate'
    | 'cancel'
    | 'recordCall'
    | 'checkTask'
  >;
  /** The durable timers waiting on an incident (escalation, reminders). */
  pendingTimers(incidentId: string): Array<{ kind: string; dueAt: number }>;
  /** A detection reported through the API (a resident's report, a test alert). */
  raise: AlertingService['raise'];
  siteMode(): ReturnType<SiteMode['state']>;
  /** Peacetime/wartime 平战转换; false when the site already is in that mode. */
  setSiteMode(mode: SiteModeName, by: string, reason: string | null): boolean;
}

export function alertingFacade(service: AlertingService): AlertingFacade {
  return {
    now: () => service.core.now,
    store: service.store,
    records: service.records,
    workflow: service.workflow,
    pendingTimers: (incidentId) => service.timers.pending(incidentId),
    raise: (d) => service.raise(d),
    siteMode: () => service.mode.state(),
    setSiteMode: (mode, by, reason) => service.mode.set(mode, by, reason, service.escalator),
  };
}
