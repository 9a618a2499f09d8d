/**
 * The alerting stage: detections from the bus (rules, models, Node-RED, failed commands,
 * residents' reports) become alerts and incidents, routed, escalated on durable timers and
 * worked through the API. Outbound delivery (MQTT, WebSocket, webhooks) is the channels stage.
 */
import type { GatewayContext } from '../context.ts';
import { Errors } from '../core/errors.ts';
import { moduleLogger } from '../core/logger.ts';
import type { GatewayModule } from '../module.ts';
import { alertingFacade, type AlertingFacade } from './facade.ts';
import { unraisedKinds } from './kind-references.ts';
import { AlertingService } from './service.ts';
import { monitoredHouseholdOf } from '../privacy/consent.ts';
import { ACTIVE_STATES } from '../contracts/incidents.ts';

export class AlertingModule implements GatewayModule {
  readonly name = 'alerting';
  private service: AlertingService | null = null;
  private unsubscribe: Array<() => void> = [];

  /** The running service (tests and other in-process stages). */
  get running(): AlertingService {
    if (!this.service) throw Errors.stageNotRunning('alerting is not running');
    return this.service;
  }

  /** What the API may ask of the running stage. */
  facade(): AlertingFacade {
    return alertingFacade(this.running);
  }

  start(ctx: GatewayContext): void {
    const service = new AlertingService(ctx);
    service.start();
    this.service = service;
    const log = moduleLogger(ctx.log, 'alerting');
    const declared = new Map<string, string[]>();
    const reported = new Set<string>();
    this.unsubscribe = [
      ctx.bus.on('detectionRaised', (d) => {
        // Whatever raised it (model, rule, flow), nobody is watched at home without consent (issue 18).
        const household = monitoredHouseholdOf(d);
        if (household && !ctx.privacy.consent.allowsAlertAt(household, d.eventTs)) {
          log.debug({ household, kind: d.kind }, 'detection dropped: no consent covers it');
          return;
        }
        void service.raise(d);
      }),
      ctx.bus.on('householdConsentChanged', (c) => {
        if (c.status !== 'given') this.stopMonitoring(service, c.householdId, c.by);
      }),
      ctx.bus.on('commandResultReceived', (r) => service.onCommandResult(r)),
      ctx.bus.on('alertKindsDeclared', ({ source, kinds }) => {
        declared.set(source, kinds);
        for (const u of unraisedKinds(service.core.config, [...declared.values()].flat())) {
          if (reported.has(u.pointer)) continue;
          reported.add(u.pointer);
          log.warn(
            { pointer: u.pointer, kind: u.kind, suggestion: u.suggestion },
            `site file ${u.pointer}: no rule, model or built-in detector raises alert kind '${u.kind}'` +
              (u.suggestion ? ` (did you mean '${u.suggestion}'?)` : ' (a Node-RED flow still may)'),
          );
        }
      }),
    ];
    log.info({ mode: service.mode.mode }, 'alerting started');
  }

  /** Timers that fell due while the gateway was down resend commands and publish incident changes. */
  resume(): void {
    const resumed = this.running.resumeTimers();
    moduleLogger(this.running.ctx.log, 'alerting').info(
      { resumedTimers: resumed },
      'alerting timers resumed',
    );
  }

  /** Consent withdrawn or erased: the household's open monitoring incidents are cancelled, recorded. */
  private stopMonitoring(service: AlertingService, householdId: string, by: string): void {
    const root = service.ctx.site.site.grid.id;
    const privacyOfficer = {
      id: by,
      name: by,
      username: by,
      roles: ['admin' as const],
      grid: root,
      onCall: null,
    };
    for (const i of service.store.listIncidents({ states: [...ACTIVE_STATES], limit: 10_000 }))
      if (i.location.household === householdId && monitoredHouseholdOf(i) === householdId)
        service.workflow.cancel(
          privacyOfficer,
          i.id,
          '居民撤回同意，停止监测 (consent withdrawn: monitoring stopped)',
        );
  }

  stop(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.service?.stop();
    this.service = null;
  }
}

export const createAlertingModule = (): GatewayModule => new AlertingModule();
