/**
 * Where the rule engine runs, as the rules stage drives it (module.ts): in the rules worker
 * (worker-host.ts, live) or in the gateway's thread (`InProcessHost`, replays on a ManualClock).
 */
import type { DeviceHealth } from '../../contracts/events.ts';
import { RuleRunner, type RuleRunnerDeps } from './rule-runner.ts';
import type { CompiledRule } from './types.ts';

export interface RuleHost {
  /** Loads the rules, rebuilds their windows and evaluates what was stored since the last run. */
  start(rules: CompiledRule[]): Promise<void>;
  setRules(rules: CompiledRule[]): void;
  /** Ingest committed readings or events. */
  wake(): void;
  health(h: DeviceHealth): void;
  /** Instances waiting out `for:` and firing, by rule id. */
  instanceCounts(): Promise<Map<string, { pending: number; firing: number }>>;
  /** Resolves when what ingest committed so far is evaluated and its detections stored. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The engine in the gateway's thread, on the gateway's clock: a ManualClock fires its `for:` ticks
 * inside `advanceTo`, between messages, and a backfill's store transaction is visible to it.
 */
export class InProcessHost implements RuleHost {
  private readonly runner: RuleRunner;

  constructor(private readonly deps: RuleRunnerDeps) {
    this.runner = new RuleRunner(deps);
  }

  start(rules: CompiledRule[]): Promise<void> {
    this.runner.start(rules);
    return Promise.resolve();
  }

  setRules(rules: CompiledRule[]): void {
    this.runner.engine.setRules(rules);
  }

  wake(): void {
    this.runner.feed.wake();
  }

  health(h: DeviceHealth): void {
    // Health changes carry no event time of their own: they happen now, on the gateway clock.
    this.runner.health(h, this.deps.clock.now());
  }

  instanceCounts(): Promise<Map<string, { pending: number; firing: number }>> {
    return Promise.resolve(this.runner.engine.instanceCounts());
  }

  drain(): Promise<void> {
    return this.runner.feed.drain();
  }

  stop(): Promise<void> {
    this.runner.stop();
    return Promise.resolve();
  }
}
