/**
 * Alerting assembled: store, durable timers, routing/escalation, playbook commands, workflow
 * and site mode over one core. The module starts it; the routes use it.
 */
import type { GatewayContext } from '../context.ts';
import type { Detection } from '../contracts/alerts.ts';
import { moduleLogger } from '../core/logger.ts';
import { CommandRunner } from './commands.ts';
import { readAlertingConfig } from './config.ts';
import { AlertingCore } from './core.ts';
import { Escalator } from './escalation.ts';
import { IncidentManager } from './incidents.ts';
import { createAlertingMetrics } from './metrics.ts';
import { SiteMode } from './mode.ts';
import { AlertingRecords } from './records-store.ts';
import { AlertingStore, type TimerRow } from './store.ts';
import { DurableTimers } from './timers.ts';
import { Workflow } from './workflow.ts';
import type { CommandResult } from '../contracts/events.ts';

export class AlertingService {
  readonly core: AlertingCore;
  readonly store: AlertingStore;
  readonly records: AlertingRecords;
  readonly timers: DurableTimers;
  readonly escalator: Escalator;
  readonly commands: CommandRunner;
  readonly incidents: IncidentManager;
  readonly workflow: Workflow;
  readonly mode: SiteMode;

  constructor(readonly ctx: GatewayContext) {
    const log = moduleLogger(ctx.log, 'alerting');
    this.store = new AlertingStore(ctx.stores.db);
    this.records = new AlertingRecords(ctx.stores.db);
    const metrics = createAlertingMetrics(ctx.metrics.registry, () => this.store.activeCounts());
    this.timers = new DurableTimers(this.store, ctx.clock, (row) => this.onTimer(row));
    this.core = new AlertingCore(
      ctx,
      this.store,
      this.records,
      this.timers,
      readAlertingConfig(ctx.site.site),
      metrics,
      log,
      ctx.outbox,
    );
    this.mode = new SiteMode(this.core);
    this.escalator = new Escalator(this.core, () => this.mode.mode);
    this.commands = new CommandRunner(this.core, this.escalator, ctx.mqtt);
    this.incidents = new IncidentManager(this.core, this.escalator, this.commands, this.mode);
    this.workflow = new Workflow(this.core, this.escalator);
  }

  /** Restores mode, command matching and every pending timer (with the time already elapsed). */
  start(): void {
    this.mode.restore();
    this.commands.restore();
  }

  /** Re-arms the stored timers (overdue ones fire at once); returns how many. After the transport is up. */
  resumeTimers(): number {
    return this.timers.restore();
  }

  stop(): void {
    this.timers.stop();
  }

  /** The one entry for detections: the bus, resident reports and failed commands. */
  raise(d: Detection) {
    return this.incidents.onDetection(d);
  }

  onCommandResult(r: CommandResult): void {
    this.commands.onResult(r);
  }

  private onTimer(row: TimerRow): void {
    try {
      switch (row.kind) {
        case 'accept':
        case 'reminder':
        case 'arrive':
        case 'resolve':
          return this.escalator.onTimer(row);
        case 'auto_resolve':
          return this.incidents.onAutoResolveTimer(row);
        case 'command':
          return this.commands.onTimer(row);
        default:
          this.timers.cancel(row.id);
      }
    } catch (err) {
      this.core.log.error({ err, timer: row.id }, 'alerting timer failed');
    }
  }
}
