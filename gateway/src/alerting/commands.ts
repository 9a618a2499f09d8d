/**
 * Actuator commands from playbooks (应急预案): on a shed fire, cut the shed's charging; on a
 * fire risk naming a suspect port, cut that port at once, before any person is involved.
 * Each command goes to `weige/{deviceId}/command` (QoS 1) with an id derived from the
 * incident, then waits for `commandResultReceived` with that id. No answer within the
 * timeout: resend after a doubling backoff (the same id, so the device can de-duplicate).
 * Never confirmed: a critical `command_failed` alert — a person must cut it by hand.
 */
import type { CommandResult } from '../core/bus.ts';
import type { Detection } from '../contracts/alerts.ts';
import { topics } from '../contracts/topics.ts';
import { contentId } from '../core/ids.ts';
import type { AlertingCore } from './core.ts';
import { ACTIVE_STATES, type Incident, type IncidentCommand, type StoredAlert } from './model.ts';
import type { TimerRow } from './store.ts';

export class CommandRunner {
  /** command id → incident id, for matching results. */
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly core: AlertingCore,
    private readonly raise: (d: Detection) => void,
  ) {}

  /** Rebuilds the result index after a restart; the durable timers carry on the retries. */
  restore(): void {
    for (const i of this.core.store.listIncidents({ states: ACTIVE_STATES, limit: 100_000 }))
      for (const c of i.commands)
        if (c.status === 'sent' || c.status === 'pending') this.pending.set(c.id, i.id);
  }

  /** Issues the playbook's commands this alert calls for and the incident has not issued yet. */
  start(incident: Incident, alert: StoredAlert): void {
    for (const cmd of this.plan(incident, alert)) {
      incident.commands.push(cmd);
      this.core.change(incident, {
        type: 'command_issued',
        by: null,
        data: { commandId: cmd.id, deviceId: cmd.deviceId, name: cmd.name, args: cmd.args },
      });
      this.send(incident, cmd);
    }
  }

  onResult(result: CommandResult): void {
    const incidentId = this.pending.get(result.id);
    if (!incidentId) return;
    this.core.work(() => {
      const incident = this.core.store.getIncident(incidentId);
      const cmd = incident?.commands.find((c) => c.id === result.id);
      if (!incident || !cmd || cmd.deviceId !== result.deviceId || cmd.status !== 'sent') return;
      if (result.ok) {
        this.core.timers.cancel(timerId(incident, cmd));
        this.pending.delete(cmd.id);
        cmd.status = 'confirmed';
        cmd.confirmedAt = this.core.now;
        this.core.metrics.commands.inc({ name: cmd.name, outcome: 'confirmed' });
        this.core.change(incident, {
          type: 'command_confirmed',
          by: null,
          data: { commandId: cmd.id, deviceId: cmd.deviceId, attempts: cmd.attempts },
        });
      } else {
        cmd.lastError = result.error ?? 'device refused';
        this.core.metrics.commands.inc({ name: cmd.name, outcome: 'rejected' });
        this.retryOrFail(incident, cmd, 'command_rejected');
      }
    });
  }

  onTimer(row: TimerRow): void {
    this.core.work(() => {
      this.core.timers.cancel(row.id);
      const incident = this.core.store.getIncident(row.incidentId);
      const cmd = incident?.commands.find((c) => c.id === row.data.commandId);
      if (!incident || !cmd) return;
      if (row.data.phase === 'retry' && cmd.status === 'pending') this.send(incident, cmd);
      else if (row.data.phase === 'await' && cmd.status === 'sent') {
        cmd.lastError = `no result within ${cmd.timeoutS} s`;
        this.retryOrFail(incident, cmd, 'command_timeout');
      }
    });
  }

  private plan(incident: Incident, alert: StoredAlert): IncidentCommand[] {
    const playbook = this.core.config.playbooks[incident.kind];
    const site = this.core.ctx.site;
    const place = site.place(alert.location.place ?? undefined);
    const out: IncidentCommand[] = [];
    for (const spec of playbook?.commands ?? []) {
      if (!place || (spec.placeKinds.length && !spec.placeKinds.includes(place.kind))) continue;
      const device = site.allDevices().find((d) => d.place === place.id && d.kind === spec.deviceKind);
      if (!device) continue;
      const args: Record<string, unknown> = { ...spec.args };
      if (spec.portFromEvidence) {
        const port = alert.evidence[spec.portFromEvidence];
        if (Number.isInteger(port)) args.port = port;
        else if (spec.requirePort) continue;
      }
      const id = contentId('cmd', incident.id, device.id, spec.name, JSON.stringify(args));
      if (incident.commands.some((c) => c.id === id) || out.some((c) => c.id === id)) continue;
      out.push({
        id,
        deviceId: device.id,
        name: spec.name,
        args,
        status: 'pending',
        attempts: 0,
        maxAttempts: spec.maxAttempts,
        timeoutS: spec.timeoutS,
        backoffS: spec.backoffS,
        lastError: null,
        issuedAt: this.core.now,
        lastSentAt: null,
        confirmedAt: null,
      });
    }
    return out;
  }

  private send(incident: Incident, cmd: IncidentCommand): void {
    cmd.attempts += 1;
    cmd.status = 'sent';
    cmd.lastSentAt = this.core.now;
    this.pending.set(cmd.id, incident.id);
    this.core.timers.schedule(
      timerId(incident, cmd),
      incident.id,
      'command',
      this.core.now + cmd.timeoutS * 1000,
      {
        commandId: cmd.id,
        phase: 'await',
      },
    );
    this.core.store.saveIncident(incident);
    this.core.metrics.commands.inc({ name: cmd.name, outcome: cmd.attempts === 1 ? 'sent' : 'retried' });
    const payload = JSON.stringify({ id: cmd.id, name: cmd.name, args: cmd.args });
    const topic = topics.command(cmd.deviceId);
    this.core.after(() => {
      this.core.ctx.transport
        .publish(topic, payload, { qos: 1 })
        .catch((err: unknown) =>
          this.core.log.warn({ err, topic }, 'command publish failed; the retry timer will resend'),
        );
    });
  }

  private retryOrFail(incident: Incident, cmd: IncidentCommand, type: string): void {
    if (cmd.attempts < cmd.maxAttempts) {
      const delayS = cmd.backoffS * 2 ** (cmd.attempts - 1);
      cmd.status = 'pending';
      this.core.timers.schedule(
        timerId(incident, cmd),
        incident.id,
        'command',
        this.core.now + delayS * 1000,
        {
          commandId: cmd.id,
          phase: 'retry',
        },
      );
      this.core.change(incident, {
        type,
        by: null,
        note: cmd.lastError,
        data: { commandId: cmd.id, attempts: cmd.attempts, retryInS: delayS },
      });
      return;
    }
    cmd.status = 'failed';
    this.core.timers.cancel(timerId(incident, cmd));
    this.pending.delete(cmd.id);
    this.core.metrics.commands.inc({ name: cmd.name, outcome: 'failed' });
    this.core.change(incident, {
      type: 'command_failed',
      by: null,
      note: cmd.lastError,
      data: { commandId: cmd.id, deviceId: cmd.deviceId, attempts: cmd.attempts },
    });
    const device = this.core.ctx.site.device(cmd.deviceId);
    const where = device?.place ? (this.core.ctx.site.place(device.place)?.name ?? null) : null;
    const detection: Detection = {
      kind: 'command_failed',
      severity: 'critical',
      siteId: incident.siteId,
      eventTs: this.core.now,
      source: { deviceId: cmd.deviceId, rule: null, model: null },
      dedupeKey: `command_failed:${cmd.id}`,
      location: {},
      title: {
        'zh-CN': `${where?.['zh-CN'] ?? cmd.deviceId} 断电指令未确认`,
        en: `${where?.en ?? cmd.deviceId}: ${cmd.name} command not confirmed`,
      },
      message: {
        'zh-CN': `设备 ${cmd.deviceId} 在 ${cmd.attempts} 次尝试后仍未确认 ${cmd.name} 指令，请立即人工断电。`,
        en: `Device ${cmd.deviceId} did not confirm ${cmd.name} after ${cmd.attempts} attempts; cut the power by hand now.`,
      },
      evidence: {
        incidentId: incident.id,
        commandId: cmd.id,
        name: cmd.name,
        args: cmd.args,
        attempts: cmd.attempts,
        lastError: cmd.lastError,
      },
    };
    this.core.after(() => this.raise(detection));
  }
}

const timerId = (incident: Incident, cmd: IncidentCommand): string => `${incident.id}:command:${cmd.id}`;
