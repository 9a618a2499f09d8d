/**
 * Peacetime/wartime 平战结合: the site's mode, switched by a person (PUT /api/site/mode) or by a
 * critical alert of a configured kind. Every switch is recorded; emergency mode tightens the
 * escalation timeouts and broadens routing for incidents dispatched while it holds.
 */
import type { AlertingCore } from './core.ts';
import type { Escalator, SiteModeName } from './escalation.ts';
import type { ModeChange } from './records-store.ts';

export class SiteMode {
  private current: SiteModeName = 'normal';

  constructor(private readonly core: AlertingCore) {}

  restore(): void {
    this.current = this.core.records.modeHistory(1)[0]?.mode ?? 'normal';
    this.core.metrics.siteMode.set(this.current === 'emergency' ? 1 : 0);
  }

  get mode(): SiteModeName {
    return this.current;
  }

  state(): {
    mode: SiteModeName;
    since: number | null;
    by: string | null;
    reason: string | null;
    history: ModeChange[];
  } {
    const history = this.core.records.modeHistory(50);
    const last = history[0];
    return {
      mode: this.current,
      since: last?.at ?? null,
      by: last?.by ?? null,
      reason: last?.reason ?? null,
      history,
    };
  }

  /** Returns false when the site is already in that mode (nothing recorded). */
  set(mode: SiteModeName, by: string, reason: string | null, escalator: Escalator): boolean {
    if (mode === this.current) return false;
    const at = this.core.now;
    this.core.work(() => {
      this.core.records.recordMode(mode, at, by, reason);
      this.current = mode;
      if (mode === 'emergency') escalator.tighten();
      this.core.after(() => {
        this.core.metrics.siteMode.set(mode === 'emergency' ? 1 : 0);
        this.core.ctx.bus.emit('siteModeChanged', { siteId: this.core.ctx.site.siteId, mode, by, at });
      });
    });
    this.core.log.info({ mode, by, reason }, 'site mode changed');
    return true;
  }
}
