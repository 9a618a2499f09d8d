/**
 * The loaded rule set and its problems, with hot reload: a file that fails to load keeps its
 * last good version running (marked `stale`), so a typo saved into a rule file never switches
 * a working alarm off. Watches the rule directories (fs.watch, recursive) with a short debounce.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../../core/logger.ts';
import { loadRuleDirs } from './rule-loader.ts';
import { formatRuleProblem, type CompiledRule, type RuleProblem } from './types.ts';

const DEBOUNCE_MS = 150;

export interface RuleSnapshot {
  rules: CompiledRule[];
  /** Ids of rules kept from an earlier load because their file is now broken. */
  stale: Set<string>;
  problems: RuleProblem[];
  loadedAt: number;
  dirs: string[];
}

export class RuleRegistry {
  private current: RuleSnapshot;
  private watchers: FSWatcher[] = [];
  private pending: NodeJS.Timeout | null = null;

  constructor(
    private readonly dirs: string[],
    private readonly log: Logger,
    private readonly onChange: (snapshot: RuleSnapshot) => void,
  ) {
    this.current = { rules: [], stale: new Set(), problems: [], loadedAt: 0, dirs };
  }

  snapshot(): RuleSnapshot {
    return this.current;
  }

  load(): RuleSnapshot {
    const set = loadRuleDirs(this.dirs);
    const brokenFiles = new Set(set.problems.map((p) => p.file));
    const loadedIds = new Set(set.rules.map((r) => r.id));
    const kept = this.current.rules.filter((r) => brokenFiles.has(r.file) && !loadedIds.has(r.id));
    for (const p of set.problems) this.log.error({ problem: formatRuleProblem(p) }, 'rule not loaded');
    for (const r of kept)
      this.log.warn({ rule: r.id, file: r.file }, 'rule file is broken; keeping its last good version');
    this.current = {
      rules: [...set.rules, ...kept],
      stale: new Set(kept.map((r) => r.id)),
      problems: set.problems,
      loadedAt: Date.now(),
      dirs: this.dirs,
    };
    this.log.info({ rules: this.current.rules.length, problems: set.problems.length }, 'rules loaded');
    this.onChange(this.current);
    return this.current;
  }

  watch(): void {
    for (const dir of this.dirs) {
      try {
        const w = watch(dir, { recursive: true }, () => this.scheduleReload());
        w.on('error', (err) => this.log.warn({ err, dir }, 'rule directory watch failed'));
        this.watchers.push(w);
      } catch (err) {
        this.log.warn({ err, dir }, 'cannot watch rule directory; hot reload is off for it');
      }
    }
  }

  close(): void {
    this.watchers.forEach((w) => w.close());
    this.watchers = [];
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
  }

  private scheduleReload(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = null;
      try {
        this.load();
      } catch (err) {
        this.log.error({ err }, 'rule reload failed; keeping the running rules');
      }
    }, DEBOUNCE_MS);
  }
}
