/**
 * Actuator commands from playbooks (应急预案): on a shed fire, cut the shed's charging; on a
 * fire risk naming a suspect port, cut that port at once, before any person is involved.
 * Each command goes to `weige/{deviceId}/command` (QoS 1) with an id derived from the
 * incident and the alert that called for it, then waits for `commandResultReceived` with that
 * id. No answer within the timeout: resend after a doubling backoff (the same id, so the device
 * can de-duplicate). A cut-off is never deduplicated away: every alert that calls for one sends
 * it, unless the same cut is still in flight (a port cut earlier may have been switched on again).
 * Each cut is a step (task) on the incident it serves; never confirmed, that step becomes "cut it
 * by hand" and the incident turns critical — not a separate incident sorting above the fire.
 */
import type { LocalizedText } from '../contracts/site.ts';
import { contentId } from '../core/ids.ts';
import type { CommandPort, DeviceCommand } from '../ports.ts';
import type { AlertingCore } from './core.ts';
import type { Escalator } from './escalation.ts';
import { type Incident, type IncidentCommand, type IncidentTask, type StoredAlert } from './model.ts';
import type { TimerRow } from './store.ts';
import { ACTIVE_STATES } from '../contracts/incidents.ts';
import type { CommandResult } from '../contracts/events.ts';

const IN_FLIGHT = new Set(['pending', 'sent']);

export class CommandRunner {
  /** command id → incident id, for matching results. */
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly core: AlertingCore,
    private readonly escalator: Escalator,
    private readonly port: CommandPort,
  ) {}

  /** Rebuilds the result index after a restart; the durable timers carry on the retries. */
  restore(): void {
    for (const i of this.core.store.listIncidents({ states: ACTIVE_STATES, limit: 100_000 }))
      for (const c of i.commands)
        if (c.status === 'sent' || c.status === 'pending') this.pending.set(c.id, i.id);
  }

  /** True when the playbook of the alert's kind has a command for its place (a safety action). */
  calledFor(alert: StoredAlert): boolean {
    return this.specsFor(alert.kind, alert).length > 0;
  }

  /** Issues the playbook's commands this alert calls for, unless the same one is in flight. */
  start(incident: Incident, alert: StoredAlert): void {
    for (const cmd of this.plan(incident, alert)) {
      incident.commands.push(cmd);
      incident.tasks.push(stepFor(incident, cmd, this.placeName(cmd)));
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
        const step = incident.tasks.find((t) => t.id === stepId(incident, cmd));
        if (step) {
          step.status = 'done';
          for (const item of step.checklist) Object.assign(item, { done: true, at: this.core.now });
        }
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

  /** The playbook commands (with their device and arguments) an alert of `kind` calls for. */
  private specsFor(kind: string, alert: StoredAlert) {
    const playbook = this.core.config.playbooks[kind];
    const site = this.core.ctx.site;
    const place = site.place(alert.location.place ?? undefined);
    const out = [];
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
      out.push({ spec, device, args });
    }
    return out;
  }

  private plan(incident: Incident, alert: StoredAlert): IncidentCommand[] {
    const out: IncidentCommand[] = [];
    // The alert's own kind: a fire_risk joining a fire incident still cuts its suspect port.
    for (const { spec, device, args } of this.specsFor(alert.kind, alert)) {
      const same = (c: IncidentCommand) =>
        c.deviceId === device.id && c.name === spec.name && JSON.stringify(c.args) === JSON.stringify(args);
      if (incident.commands.some((c) => same(c) && IN_FLIGHT.has(c.status)) || out.some(same)) continue;
      const id = contentId('cmd', incident.id, device.id, spec.name, JSON.stringify(args), alert.id);
      if (incident.commands.some((c) => c.id === id)) continue;
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
    const command: DeviceCommand = { id: cmd.id, name: cmd.name, args: cmd.args };
    const { deviceId } = cmd;
    this.core.after(() => {
      this.port
        .sendCommand(deviceId, command)
        .catch((err: unknown) =>
          this.core.log.warn({ err, deviceId }, 'command publish failed; the retry timer will resend'),
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
    const step = incident.tasks.find((t) => t.id === stepId(incident, cmd));
    if (step) Object.assign(step, manualStep(cmd, this.placeName(cmd)));
    const data: Record<string, unknown> = {
      commandId: cmd.id,
      deviceId: cmd.deviceId,
      attempts: cmd.attempts,
    };
    // Nobody has cut the power: the incident it serves is now the most urgent there is.
    if (incident.severity !== 'critical') {
      data.severityFrom = incident.severity;
      incident.severity = 'critical';
      this.escalator.severityRaised(incident);
    }
    this.core.change(incident, { type: 'command_failed', by: null, note: cmd.lastError, data });
  }

  private placeName(cmd: IncidentCommand): Required<LocalizedText> {
    const site = this.core.ctx.site;
    const device = site.device(cmd.deviceId);
    const place = device?.place ? site.place(device.place) : undefined;
    return { 'zh-CN': place?.name['zh-CN'] ?? cmd.deviceId, en: place?.name.en ?? cmd.deviceId };
  }
}

const timerId = (incident: Incident, cmd: IncidentCommand): string => `${incident.id}:command:${cmd.id}`;
const stepId = (incident: Incident, cmd: IncidentCommand): string => `${incident.id}:command:${cmd.id}`;

function what(cmd: IncidentCommand, where: Required<LocalizedText>): Required<LocalizedText> {
  const port = cmd.args.port;
  return Number.isInteger(port)
    ? {
        'zh-CN': `${where['zh-CN']}${String(port)}号充电口`,
        en: `charging port ${String(port)} in ${where.en}`,
      }
    : { 'zh-CN': `${where['zh-CN']}全部充电口`, en: `every charging port in ${where.en}` };
}

/** The step a cut-off adds to its incident: automatic while the device may still confirm it. */
function stepFor(incident: Incident, cmd: IncidentCommand, where: Required<LocalizedText>): IncidentTask {
  const w = what(cmd, where);
  return {
    id: stepId(incident, cmd),
    role: 'emergency_responder',
    title: { 'zh-CN': `自动断电：${w['zh-CN']}`, en: `Automatic power cut: ${w.en}` },
    checklist: [
      {
        text: { 'zh-CN': '充电控制器确认已断电', en: 'The charging controller confirms the cut' },
        done: false,
        by: null,
        at: null,
      },
    ],
    status: 'in_progress',
  };
}

/** Never confirmed: the same step now asks a person to cut the power by hand. */
function manualStep(
  cmd: IncidentCommand,
  where: Required<LocalizedText>,
): Pick<IncidentTask, 'title' | 'checklist' | 'status'> {
  const w = what(cmd, where);
  return {
    title: {
      'zh-CN': `立即人工断电：${w['zh-CN']}（自动断电 ${cmd.attempts} 次未确认）`,
      en: `Cut the power by hand now: ${w.en} (automatic cut not confirmed after ${cmd.attempts} tries)`,
    },
    checklist: [
      {
        text: { 'zh-CN': '到场断开充电电源', en: 'Switch the charging power off on site' },
        done: false,
        by: null,
        at: null,
      },
      { text: { 'zh-CN': '确认端口无电', en: 'Confirm the port is dead' }, done: false, by: null, at: null },
    ],
    status: 'pending',
  };
}
