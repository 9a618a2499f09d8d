/**
 * The privacy stage (issue 18): the retention job on the gateway's clock and residents' requests
 * (api/routes/privacy.ts serves them, with consent, personal views, the access log and legal
 * holds). Consent, masking and the access log themselves live in PrivacyCore (context), used by
 * every stage.
 */
import type { GatewayContext } from '../context.ts';
import type { TimerHandle } from '../core/clock.ts';
import { Errors } from '../core/errors.ts';
import { moduleLogger } from '../core/logger.ts';
import type { GatewayModule } from '../module.ts';
import type { PrivacyFacade } from './facade.ts';
import { ResidentRequests } from './requests.ts';
import { RetentionJob } from './retention.ts';

const RETENTION_EVERY_MS = 3_600_000;

export class PrivacyModule implements GatewayModule {
  readonly name = 'privacy';
  private requests: ResidentRequests | null = null;
  private timer: TimerHandle | null = null;
  private job: RetentionJob | null = null;

  /** What the API may ask of the running stage. */
  facade(): PrivacyFacade {
    if (!this.requests) throw Errors.stageNotRunning('privacy is not running');
    return this.requests;
  }

  /** The retention job (tests run it at a chosen time). */
  get retention(): RetentionJob {
    if (!this.job) throw Errors.stageNotRunning('privacy is not running');
    return this.job;
  }

  start(ctx: GatewayContext): void {
    const log = moduleLogger(ctx.log, 'privacy');
    const { privacy } = ctx;
    this.requests = new ResidentRequests({ privacy, bus: ctx.bus, now: () => ctx.clock.now() });
    const job = new RetentionJob({
      db: ctx.stores.db,
      site: ctx.site,
      config: privacy.config,
      audit: privacy.audit,
      holds: privacy.holds,
      registry: ctx.metrics.registry,
    });
    this.job = job;
    const run = (): void => {
      try {
        const deleted = job.run(ctx.clock.now());
        if (Object.values(deleted).some((n) => n > 0)) log.info({ deleted }, 'privacy retention applied');
      } catch (err) {
        log.error({ err }, 'privacy retention failed');
      }
    };
    this.timer = ctx.clock.setInterval(RETENTION_EVERY_MS, run);
    run();
    const monitored = ctx.site.allHouseholds().filter((h) => privacy.isMonitored(h)).length;
    const watchable = ctx.site.allHouseholds().filter((h) => h.livesAlone).length;
    log.info({ monitored, withoutConsent: watchable - monitored }, 'privacy started');
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.requests = null;
    this.job = null;
  }
}

export const createPrivacyModule = (): GatewayModule => new PrivacyModule();
