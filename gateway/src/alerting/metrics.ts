/** Alerting's Prometheus metrics, on the gateway's own registry (GET /metrics). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const RESPONSE_BUCKETS_S = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];

export function createAlertingMetrics(registry: Registry, activeByState: () => Record<string, number>) {
  const registers = [registry];
  // Spread in registration order, the order /metrics lists them in.
  return {
    ...alertMetrics(registers),
    ...incidentMetrics(registers, activeByState),
    ...responseMetrics(registers),
    ...outcomeMetrics(registers),
    ...actionMetrics(registers),
  };
}

/** Alerts made from detections, and detections that were already one. */
function alertMetrics(registers: Registry[]) {
  return {
    alerts: new Counter({
      name: 'weige_alerts_total',
      help: 'Alerts created from detections, by kind, severity and status (firing, silenced, inhibited)',
      labelNames: ['kind', 'severity', 'status'] as const,
      registers,
    }),
    duplicateDetections: new Counter({
      name: 'weige_alert_duplicates_total',
      help: 'Detections that were already an alert (same content): idempotent creation skipped them',
      registers,
    }),
  };
}

/** Incidents opened, and those not yet closed by state (read at scrape time). */
function incidentMetrics(registers: Registry[], activeByState: () => Record<string, number>) {
  return {
    incidentsOpened: new Counter({
      name: 'weige_incidents_opened_total',
      help: 'Incidents opened, by kind and severity',
      labelNames: ['kind', 'severity'] as const,
      registers,
    }),
    incidents: new Gauge({
      name: 'weige_incidents',
      help: 'Incidents not yet closed, by state',
      labelNames: ['state'] as const,
      registers,
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(activeByState())) this.set({ state }, n);
      },
    }),
  };
}

/** How fast incidents are accepted, reached and resolved; escalations and reminders on the way. */
function responseMetrics(registers: Registry[]) {
  return {
    timeToAccept: new Histogram({
      name: 'weige_incident_time_to_accept_seconds',
      help: 'From dispatch to accepted (接单), by kind and severity',
      labelNames: ['kind', 'severity'] as const,
      buckets: RESPONSE_BUCKETS_S,
      registers,
    }),
    timeToArrive: new Histogram({
      name: 'weige_incident_time_to_arrive_seconds',
      help: 'From dispatch to on site, by kind and severity',
      labelNames: ['kind', 'severity'] as const,
      buckets: RESPONSE_BUCKETS_S,
      registers,
    }),
    timeToResolve: new Histogram({
      name: 'weige_incident_time_to_resolve_seconds',
      help: 'From dispatch to resolved, by kind and severity',
      labelNames: ['kind', 'severity'] as const,
      buckets: RESPONSE_BUCKETS_S,
      registers,
    }),
    escalations: new Counter({
      name: 'weige_incident_escalations_total',
      help: 'Escalation steps, by reason (accept_timeout, not_on_site, not_resolved, manual)',
      labelNames: ['kind', 'reason'] as const,
      registers,
    }),
    reminders: new Counter({
      name: 'weige_incident_reminders_total',
      help: 'Reminders sent for incidents nobody accepted yet',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}

/** How incidents were resolved, false alarms among them. */
function outcomeMetrics(registers: Registry[]) {
  return {
    resolutions: new Counter({
      name: 'weige_incident_resolutions_total',
      help: 'Resolved incidents by kind and disposition (false-alarm dispositions feed threshold tuning)',
      labelNames: ['kind', 'disposition'] as const,
      registers,
    }),
    falseAlarms: new Counter({
      name: 'weige_false_alarms_total',
      help: 'Incidents resolved as false alarms (false_alarm, resident_away, device_fault), by kind, rule and model',
      labelNames: ['kind', 'rule', 'model'] as const,
      registers,
    }),
  };
}

/** Playbook actuator commands and the site's emergency mode. */
function actionMetrics(registers: Registry[]) {
  return {
    commands: new Counter({
      name: 'weige_actuator_commands_total',
      help: 'Playbook actuator commands by name and outcome (sent, retried, confirmed, failed, rejected)',
      labelNames: ['name', 'outcome'] as const,
      registers,
    }),
    siteMode: new Gauge({
      name: 'weige_site_emergency_mode',
      help: '1 while the site is in emergency mode (平战转换), else 0',
      registers,
    }),
  };
}

export type AlertingMetrics = ReturnType<typeof createAlertingMetrics>;
