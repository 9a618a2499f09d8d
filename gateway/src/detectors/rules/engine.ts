/**
 * The rule engine: observations in, detections out, on event time.
 *
 * - Each observation goes into the shared sample buffers, then only the rules cached for its
 *   (device, source, event type) are evaluated, at the observation's own timestamp.
 * - Per (rule, subject) a small state machine runs: idle → pending (`for:`) → firing →
 *   clearing (clear `for:`) → idle, with a cooldown after each firing.
 * - A clock tick re-evaluates what time alone can change: `for:` timers in progress and rules
 *   whose facts grow with the clock (age, span). Inputs older than a subject's last evaluation
 *   (late NB-IoT batches) still fill the windows but do not rewind the state machine.
 */
import type { SiteIndex } from '../../site/site-index.ts';
import type { Detection } from '../../contracts/alerts.ts';
import type { Device } from '../../contracts/site.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { matchesDevice, subjectFor, subjectFromKey } from './matching.ts';
import { inSchedule } from './schedule.ts';
import { SeriesStore } from './series-store.ts';
import type { InstanceState, RuleStatePersistence } from './state-store.ts';
import { buildDetection, type DetectionContext } from './detections.ts';
import type { CompiledRule, EvalContext, Observation, Subject, Tri } from './types.ts';

export const DEFAULT_TICK_MS = 60_000;
/** Idle instance state unused this long (event time) is forgotten. */
export const STATE_TTL_MS = 7 * 86_400_000;
const SWEEP_EVERY_MS = 3_600_000;

export interface RuleEngineOptions {
  site: SiteIndex;
  clock: Clock;
  emit: (d: Detection) => void;
  persistence?: RuleStatePersistence;
  log?: Logger;
  tickMs?: number;
  /**
   * Saves the state a tick changed at once (default). The rules worker saves it only once
   * alerting has stored what the tick raised, so a crash raises it again rather than losing it.
   */
  saveOnTick?: boolean;
}

export class RuleEngine {
  private rules: CompiledRule[] = [];
  private readonly byId = new Map<string, CompiledRule>();
  private readonly cache = new Map<string, CompiledRule[]>();
  private readonly states = new Map<string, InstanceState>();
  /**
   * What the clock alone can change, by state key: subjects of rules with clock-driven facts
   * (age, span) and instances whose `for:` timer is running. Ticks visit only these.
   */
  private readonly watched = new Map<string, { ruleId: string; subject: Subject }>();
  private lastSweep = 0;
  private readonly lastObservation = new Map<string, Observation>();
  private readonly dirty = new Set<string>();
  private readonly removed: Array<{ ruleId: string; subjectKey: string }> = [];
  readonly series: SeriesStore;
  private timer: TimerHandle | null = null;
  private readonly timezone: string;
  evaluations = 0;

  constructor(private readonly options: RuleEngineOptions) {
    this.series = new SeriesStore(options.site, new Map());
    this.timezone = options.site.site.timezone || 'Asia/Shanghai';
  }

  start(): void {
    for (const s of this.options.persistence?.loadAll() ?? []) {
      this.states.set(stateKey(s.ruleId, s.subjectKey), s);
      // A `for:` timer or a clock-driven rule that was running before the restart keeps running.
      const rule = this.byId.get(s.ruleId);
      const subject = rule && subjectFromKey(rule, s.subjectKey, this.options.site);
      if (rule && subject) this.watch(rule, subject, s);
    }
    this.timer = this.options.clock.setInterval(this.options.tickMs ?? DEFAULT_TICK_MS, () => this.tick());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.flush();
  }

  setRules(rules: CompiledRule[]): void {
    this.rules = rules.filter((r) => r.enabled);
    this.byId.clear();
    for (const r of this.rules) this.byId.set(r.id, r);
    this.cache.clear();
    this.series.invalidatePlaces();
    this.series.setHorizons(this.horizons());
    for (const [key, w] of this.watched) if (!this.byId.has(w.ruleId)) this.watched.delete(key);
  }

  loadedRules(): CompiledRule[] {
    return this.rules;
  }

  rule(id: string): CompiledRule | undefined {
    return this.byId.get(id);
  }

  /** Field -> longest history any loaded rule needs. */
  horizons(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.rules)
      for (const c of [r.when, ...(r.clear ? [r.clear.when] : [])])
        for (const [f, ms] of c.horizons) out.set(f, Math.max(ms + r.forMs, out.get(f) ?? 0));
    return out;
  }

  /** Longest history any rule that could look at `device` needs (to rebuild windows at start). */
  horizonFor(device: Device): number {
    let max = -1;
    for (const r of this.rules) {
      const relevant =
        r.when.usesPlaceScope || !r.match.deviceKind || r.match.deviceKind.includes(device.kind);
      if (!relevant) continue;
      for (const ms of r.when.horizons.values()) max = Math.max(max, ms + r.forMs);
    }
    return max;
  }

  /** Rules that look at this device's observations of this source and event type. */
  rulesFor(device: Device, source: Observation['source'], eventType: string | undefined): CompiledRule[] {
    const key = `${device.id}|${source}|${eventType ?? ''}`;
    let list = this.cache.get(key);
    if (!list) {
      list = this.rules.filter(
        (r) =>
          r.match.source === source &&
          (!r.match.eventType || (eventType !== undefined && r.match.eventType.includes(eventType))) &&
          matchesDevice(r.match, device, this.options.site),
      );
      this.cache.set(key, list);
    }
    return list;
  }

  /** Only fills the windows (rebuilding them from stored history). */
  preload(o: Observation): void {
    this.series.add(o);
  }

  ingest(o: Observation): void {
    const device = this.options.site.device(o.deviceId);
    if (!device) return;
    const fresh = this.series.add(o);
    if (!fresh) return;
    const eventType = o.source === 'event' ? o.stream.slice(3) : undefined;
    for (const rule of this.rulesFor(device, o.source, eventType)) {
      const subject = subjectFor(rule, device, o.stream, this.options.site);
      this.lastObservation.set(stateKey(rule.id, subject.key), o);
      this.evaluate(rule, subject, o.ts);
    }
  }

  private watch(rule: CompiledRule, subject: Subject, state: InstanceState): void {
    const key = stateKey(rule.id, subject.key);
    const clockRule = rule.when.clockDriven || (rule.clear?.when.clockDriven ?? false);
    if (clockRule || state.status === 'pending' || state.status === 'clearing')
      this.watched.set(key, { ruleId: rule.id, subject });
    else this.watched.delete(key);
  }

  /** Re-evaluates what the clock alone can change; also saves state and forgets stale state. */
  tick(now = this.options.clock.now()): void {
    for (const [key, { ruleId, subject }] of this.watched) {
      const rule = this.byId.get(ruleId);
      const state = this.states.get(key);
      if (!rule) this.watched.delete(key);
      else if (!state || now > state.lastEvalTs) this.evaluate(rule, subject, now);
    }
    if (now - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = now;
      for (const [key, state] of this.states)
        if (state.status === 'idle' && now - state.lastEvalTs > STATE_TTL_MS) {
          this.states.delete(key);
          this.watched.delete(key);
          this.lastObservation.delete(key);
          if (this.options.persistence)
            this.removed.push({ ruleId: state.ruleId, subjectKey: state.subjectKey });
        }
    }
    if (this.options.saveOnTick !== false) this.flush();
  }

  flush(): void {
    const p = this.options.persistence;
    if (!p) return;
    if (this.removed.length) p.remove(this.removed.splice(0));
    if (this.dirty.size) {
      p.save([...this.dirty].flatMap((k) => this.states.get(k) ?? []));
      this.dirty.clear();
    }
  }

  stateOf(ruleId: string, subjectKey: string): InstanceState | undefined {
    return this.states.get(stateKey(ruleId, subjectKey));
  }

  stateCount(): number {
    return this.states.size;
  }

  /** Per rule: instances waiting out `for:` and instances firing (for GET /api/rules). */
  instanceCounts(): Map<string, { pending: number; firing: number }> {
    const out = new Map<string, { pending: number; firing: number }>();
    for (const s of this.states.values()) {
      if (s.status === 'idle') continue;
      const c = out.get(s.ruleId) ?? { pending: 0, firing: 0 };
      if (s.status === 'pending') c.pending++;
      else c.firing++;
      out.set(s.ruleId, c);
    }
    return out;
  }

  private evaluate(rule: CompiledRule, subject: Subject, at: number): void {
    const key = stateKey(rule.id, subject.key);
    let state = this.states.get(key);
    if (!state) {
      state = {
        ruleId: rule.id,
        subjectKey: subject.key,
        status: 'idle',
        since: null,
        lastEvalTs: 0,
        lastFiredAt: null,
        deviceId: null,
        dedupeKey: null,
      };
      this.states.set(key, state);
    }
    if (at < state.lastEvalTs) return;
    state.lastEvalTs = at;
    this.evaluations++;
    const ctx: EvalContext = { at, subject, series: this.series, facts: {} };
    const before = state.status;
    if (state.status === 'idle' || state.status === 'pending') {
      const holds: Tri = inSchedule(rule.schedule, at, this.timezone) ? rule.when.evaluate(ctx) : false;
      if (holds === true) {
        if (state.status === 'idle') {
          state.status = 'pending';
          state.since = at;
        }
        const cooling = state.lastFiredAt !== null && at - state.lastFiredAt < rule.cooldownMs;
        if (at - state.since! >= rule.forMs && !cooling) this.fire(rule, subject, state, ctx);
        else if (cooling && !rule.clear) state.status = 'idle';
      } else if (holds === false) {
        state.status = 'idle';
        state.since = null;
      }
    } else if (rule.clear) {
      const clears = rule.clear.when.evaluate(ctx);
      if (clears === true) {
        if (state.status === 'firing') {
          state.status = 'clearing';
          state.since = at;
        }
        if (at - state.since! >= rule.clear.forMs) this.emitClear(rule, subject, state, ctx);
      } else if (clears === false && state.status === 'clearing') {
        state.status = 'firing';
        state.since = null;
      }
    }
    if (state.status !== before) this.dirty.add(key);
    this.watch(rule, subject, state);
  }

  private fire(rule: CompiledRule, subject: Subject, state: InstanceState, ctx: EvalContext): void {
    const detection = buildDetection(rule, subject, ctx, false, this.detectionContext(rule, subject));
    state.lastFiredAt = ctx.at;
    state.deviceId = subject.device.id;
    state.dedupeKey = detection.dedupeKey;
    state.status = rule.clear ? 'firing' : 'idle';
    state.since = null;
    this.dirty.add(stateKey(rule.id, subject.key));
    this.options.emit(detection);
  }

  private detectionContext(rule: CompiledRule, subject: Subject): DetectionContext {
    return {
      site: this.options.site,
      timezone: this.timezone,
      trigger: this.lastObservation.get(stateKey(rule.id, subject.key)),
    };
  }

  private emitClear(rule: CompiledRule, subject: Subject, state: InstanceState, ctx: EvalContext): void {
    // The texts name the firing condition's facts; show their values now, next to the clear's.
    const firingFacts: EvalContext = { ...ctx, facts: {} };
    rule.when.evaluate(firingFacts);
    const facts = { ...firingFacts.facts, ...ctx.facts };
    const detection = buildDetection(
      rule,
      subject,
      { ...ctx, facts },
      true,
      this.detectionContext(rule, subject),
    );
    if (state.dedupeKey) detection.dedupeKey = state.dedupeKey;
    state.status = 'idle';
    state.since = null;
    this.options.emit(detection);
  }
}

function stateKey(ruleId: string, subjectKey: string): string {
  return `${ruleId}\u0000${subjectKey}`;
}
