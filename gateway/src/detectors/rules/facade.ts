/**
 * What the API may ask of the running rules stage (api/routes/rules.ts): what is loaded, what
 * failed to load, and each rule's live state. Trying a rule over a fixture or stored history
 * needs no running stage (nor the rules worker): the routes call `replay` and `backtest` directly.
 */
import type { RuleSnapshot } from './rule-registry.ts';

export interface RulesFacade {
  /** The rules and load problems now; null before the first load. */
  snapshot(): RuleSnapshot | null;
  /** Instances waiting out `for:` and firing, by rule id. */
  instanceCounts(): Promise<Map<string, { pending: number; firing: number }>>;
  /** True when the rule is the fallback of a model that is loaded now (it raises nothing). */
  standsDown(ruleId: string): boolean;
}
