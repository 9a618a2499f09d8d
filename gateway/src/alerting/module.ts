/**
 * The alerting stage: detections from the bus (rules, models, Node-RED, failed commands,
 * residents' reports) become alerts and incidents, routed, escalated on durable timers and
 * worked through the API. Outbound delivery (MQTT, WebSocket, webhooks) is the channels stage.
 */
import type { ApiExtension } from '../api/app.ts';
import type { GatewayContext } from '../context.ts';
import { Errors } from '../core/errors.ts';
import { moduleLogger } from '../core/logger.ts';
import type { GatewayModule } from '../module.ts';
import { alertRoutes } from './routes/alerts.ts';
import { householdRoutes } from './routes/households.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { silenceRoutes } from './routes/silences.ts';
import { siteModeRoutes } from './routes/site-mode.ts';
import { statsRoutes } from './routes/stats.ts';
import { unraisedKinds } from './kind-references.ts';
import { AlertingService } from './service.ts';

export class AlertingModule implements GatewayModule {
  readonly name = 'alerting';
  readonly api: ApiExtension;
  private service: AlertingService | null = null;
  private unsubscribe: Array<() => void> = [];

  constructor() {
    const svc = (): AlertingService => {
      if (!this.service) throw Errors.transportFailed('alerting is not running');
      return this.service;
    };
    this.api = async (app, opts) => {
      for (const routes of [
        alertRoutes,
        incidentRoutes,
        silenceRoutes,
        householdRoutes,
        siteModeRoutes,
        statsRoutes,
      ])
        await app.register(routes(svc), opts);
    };
  }

  /** The running service (tests and other in-process stages). */
  get running(): AlertingService {
    if (!this.service) throw Errors.transportFailed('alerting is not running');
    return this.service;
  }

  start(ctx: GatewayContext): void {
    const service = new AlertingService(ctx);
    const resumed = service.start();
    this.service = service;
    const log = moduleLogger(ctx.log, 'alerting');
    const declared = new Map<string, string[]>();
    const reported = new Set<string>();
    this.unsubscribe = [
      ctx.bus.on('detectionRaised', (d) => void service.raise(d)),
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
    log.info({ resumedTimers: resumed, mode: service.mode.mode }, 'alerting started');
  }

  stop(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.service?.stop();
    this.service = null;
  }
}

export const createAlertingModule = (): GatewayModule => new AlertingModule();
