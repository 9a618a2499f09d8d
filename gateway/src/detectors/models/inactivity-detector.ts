/**
 * elderly-inactivity on the gateway: water-meter readings of households whose resident lives
 * alone (bus `readingAccepted`) feed that household's rhythm and silence (models/elderly-
 * inactivity). Recorded absences and visits (bus `householdAbsenceRecorded`,
 * `householdVisitRecorded`) are respected. At start each household's rhythm is rebuilt from the
 * stored readings of the last four weeks, so a restart does not send it back to the cold start.
 * A meter that stops reporting raises nothing here: that is `device_offline`, not silence.
 * Readings that are a meter's continuous-flow alarm uplink (`continuous_flow_min`, `flow_lph`)
 * carry it to the household state, which flags `continuous_water_flow` from it within minutes.
 * The household's smart electricity meter (`total_kwh`) and entrance door contact (`door_open`),
 * where fitted, are its presence signals (issue 13): they go to the same state, which fuses them
 * with water into one inactivity decision (household.ts).
 * Only households with a current consent are watched (issue 18): a withdrawal (bus
 * `householdConsentChanged`) drops the household's state at once, and a day-only consent lets
 * nothing through outside the site's day hours.
 */
import type { Detection } from '../../contracts/alerts.ts';
import type { Reading } from '../../contracts/readings.ts';
import type { Household } from '../../contracts/site.ts';
import type { GatewayContext } from '../../context.ts';
import type { Logger } from '../../core/logger.ts';
import {
  coldStartPrior,
  floorsFrom,
  flowAlarmOf,
  HouseholdState,
  MODEL_NAME,
  paramsFrom,
  type InactivityAlert,
} from '../../../../models/elderly-inactivity/predict.ts';
import type { Tf } from '../../../../models/lib/backend.ts';
import type { LoadedModel, ModelRegistry } from './registry.ts';
import { WorkQueue } from './work-queue.ts';

const REBUILD_DAYS = 28;
/** False alerts per household-day the site accepts unless its file says otherwise (issue 13). */
const DEFAULT_FALSE_ALERT_BUDGET = 0.01;
/** Device kinds the detector reads, water last (see rebuild). */
const WATCHED_KINDS: ReadonlyArray<Reading['kind']> = ['water_meter', 'electricity_meter', 'door_contact'];

function isPresence(reading: Reading): boolean {
  return (
    (reading.kind === 'electricity_meter' && reading.values.total_kwh !== undefined) ||
    (reading.kind === 'door_contact' && reading.values.door_open !== undefined)
  );
}

function addPresence(state: HouseholdState, reading: Reading): void {
  if (reading.kind === 'electricity_meter') state.addElectricity(reading.ts, reading.values.total_kwh!);
  else state.addDoor(reading.ts, reading.values.door_open!);
}

export interface InactivityDetectorDeps {
  ctx: GatewayContext;
  tf: Tf;
  registry: ModelRegistry;
  log: Logger;
  onDecision?: (alert: InactivityAlert | null) => void;
}

type Job =
  | { type: 'reading'; reading: Reading; household: Household }
  | { type: 'presence'; reading: Reading; household: Household }
  | { type: 'absence'; householdId: string; from: number; to: number }
  | { type: 'visit'; householdId: string; at: number }
  | { type: 'forget'; householdId: string };

export class InactivityDetector {
  private readonly states = new Map<string, HouseholdState>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly queue = new WorkQueue<Job>(
    (jobs) => this.process(jobs),
    (err) => this.deps.log.error({ err }, 'elderly-inactivity failed'),
    64,
  );

  constructor(private readonly deps: InactivityDetectorDeps) {}

  start(): void {
    const { bus } = this.deps.ctx;
    this.unsubscribe.push(
      bus.on('readingAccepted', (reading) => {
        const household = this.householdOf(reading);
        if (household)
          this.queue.push({ type: isPresence(reading) ? 'presence' : 'reading', reading, household });
      }),
      bus.on('householdAbsenceRecorded', (a) =>
        this.queue.push({ type: 'absence', householdId: a.householdId, from: a.from, to: a.to }),
      ),
      bus.on('householdVisitRecorded', (v) =>
        this.queue.push({ type: 'visit', householdId: v.householdId, at: v.at }),
      ),
      bus.on('householdConsentChanged', (c) => {
        if (c.status !== 'given') this.queue.push({ type: 'forget', householdId: c.householdId });
      }),
    );
    this.rebuild();
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.queue.stop();
    this.states.clear();
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }

  private householdOf(reading: Reading): Household | null {
    if (!(reading.kind === 'water_meter' && reading.values.total_m3 !== undefined) && !isPresence(reading))
      return null;
    const household = this.deps.ctx.site.household(this.deps.ctx.site.device(reading.deviceId)?.household);
    return household && this.watches(household) ? household : null;
  }

  private watches(household: Household): boolean {
    return household.livesAlone && this.deps.ctx.privacy.consent.monitors(household.id);
  }

  /** Replays the stored readings of the last weeks (without raising anything old). */
  private rebuild(): void {
    const { ctx } = this.deps;
    const model = this.deps.registry.get(MODEL_NAME);
    if (!model) return;
    const from = ctx.clock.now() - REBUILD_DAYS * 86_400_000;
    // Presence first: the water replay then judges its silences with the presence known.
    const devices = ctx.site
      .allDevices()
      .filter((d) => WATCHED_KINDS.includes(d.kind))
      .sort((a, b) => WATCHED_KINDS.indexOf(b.kind) - WATCHED_KINDS.indexOf(a.kind));
    for (const device of devices) {
      const household = ctx.site.household(device.household);
      if (!household || !this.watches(household)) continue;
      const readings = ctx.stores.readings.query({
        siteId: ctx.site.siteId,
        deviceId: device.id,
        from,
        limit: 50_000,
      });
      if (!readings.length) continue;
      const state = this.stateFor(household, model);
      for (const r of readings) {
        if (isPresence(r)) addPresence(state, r);
        else if (r.values.total_m3 !== undefined)
          state.add(r.ts, r.values.total_m3 * 1000, flowAlarmOf(r.values));
      }
    }
  }

  private stateFor(household: Household, model: LoadedModel): HouseholdState {
    let state = this.states.get(household.id);
    if (!state) {
      const prior = coldStartPrior(this.deps.tf, model.model, model.meta, household);
      const floors = floorsFrom(model.meta);
      const params = paramsFrom(model.meta, this.falseAlertBudget());
      this.states.set(household.id, (state = new HouseholdState(prior, params, floors)));
    }
    return state;
  }

  /** The site's false-alert budget for water-only households (site file `detection`). */
  private falseAlertBudget(): number {
    const detection = this.deps.ctx.site.site.detection as
      { elderlyInactivity?: { falseAlertsPerHouseholdDay?: number } } | undefined;
    return detection?.elderlyInactivity?.falseAlertsPerHouseholdDay ?? DEFAULT_FALSE_ALERT_BUDGET;
  }

  private process(jobs: Job[]): void {
    const model = this.deps.registry.get(MODEL_NAME);
    if (!model) return;
    for (const job of jobs) {
      if (job.type === 'forget') {
        this.states.delete(job.householdId);
      } else if (job.type === 'presence') {
        if (this.watches(job.household)) addPresence(this.stateFor(job.household, model), job.reading);
      } else if (job.type === 'reading') {
        // Consent may have been withdrawn while the reading waited in the queue.
        if (!this.watches(job.household)) continue;
        const state = this.stateFor(job.household, model);
        const alerts = state.add(
          job.reading.ts,
          job.reading.values.total_m3! * 1000,
          flowAlarmOf(job.reading.values),
        );
        if (!alerts.length) this.deps.onDecision?.(null);
        for (const alert of alerts) {
          this.deps.onDecision?.(alert);
          if (!this.deps.ctx.privacy.consent.allowsAlertAt(job.household.id, alert.t)) continue;
          this.deps.ctx.bus.emit(
            'detectionRaised',
            this.detection(job.household, job.reading, alert, state, model),
          );
        }
      } else {
        const household = this.deps.ctx.site.household(job.householdId);
        if (!household || !this.watches(household)) continue;
        const state = this.stateFor(household, model);
        if (job.type === 'absence') state.addAbsence(job.from, job.to);
        else state.addVisit(job.at);
      }
    }
  }

  private detection(
    household: Household,
    reading: Reading,
    alert: InactivityAlert,
    state: HouseholdState,
    model: LoadedModel,
  ): Detection {
    const site = this.deps.ctx.site;
    const device = site.device(reading.deviceId)!;
    // Flats in the rules' style: 3号楼1单元1403室, not B3-1-1403.
    const where = {
      zh: site.householdName(household.id, 'zh-CN') ?? household.id,
      en: site.householdName(household.id, 'en') ?? household.id,
    };
    const base = {
      siteId: site.siteId,
      eventTs: alert.t,
      source: { deviceId: device.id, rule: null, model: model.id },
      location: site.deviceLocation(device),
    };
    if (alert.kind === 'continuous_water_flow') {
      const flow = Math.round(alert.flowLPerH ?? 0);
      const minutes = alert.continuousMin;
      // A meter's continuous-flow alarm says how long it has run; an hourly rate only how much.
      const ranZh = minutes === null ? '' : `已连续用水约${minutes}分钟，`;
      const ranEn = minutes === null ? '' : `Water has run without a break for about ${minutes} min; `;
      return {
        ...base,
        kind: 'continuous_water_flow',
        severity: 'major',
        dedupeKey: `continuous_water_flow:${household.id}`,
        title: { 'zh-CN': `${where.zh} 持续用水异常`, en: `Water running continuously at ${where.en}` },
        message: {
          'zh-CN': `${ranZh}独居老人家中用水约${flow}升/小时，超出其平时用水，可能水龙头未关或在淋浴时跌倒，请尽快联系或上门查看。`,
          en: `${ranEn}${ranEn ? 'a' : 'A'}bout ${flow} L/h is running, beyond this resident's usual use: a tap left on or a fall in the shower. Call or visit.`,
        },
        evidence: {
          flowLPerH: flow,
          continuousMin: minutes,
          readingTs: new Date(reading.ts).toISOString(),
          meter: device.id,
        },
      };
    }
    const hours = alert.silenceH.toFixed(1);
    const limitH = state.silenceLimitH(alert.silenceFrom!);
    return {
      ...base,
      kind: 'elderly_inactivity',
      severity: 'major',
      dedupeKey: `elderly_inactivity:${household.id}`,
      title: {
        'zh-CN': `${where.zh} 独居老人用水异常中断`,
        en: `No water use at ${where.en} (resident lives alone)`,
      },
      message: {
        'zh-CN': `已${hours}小时未用水，按其平时作息此时段通常会用水，请电话联系或上门查看（一天两见面）。`,
        en: `No water used for ${hours} h, which is unusual for this resident at this time of day. Call or visit.`,
      },
      evidence: {
        silenceFrom: new Date(alert.silenceFrom!).toISOString(),
        silenceH: Number(hours),
        probability: Number(alert.probability.toPrecision(3)),
        householdLimitH: limitH === null ? null : Number(limitH.toFixed(1)),
        rhythm: state.rhythm().map((p) => Number(p.toFixed(2))),
        meter: device.id,
        newestReadingTs: new Date(state.newestTs).toISOString(),
      },
    };
  }
}
