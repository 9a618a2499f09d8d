/**
 * A pipeline stage beyond the core (detectors, alerting, channels, dashboards). The gateway
 * starts modules in list order after ingest is subscribed, and stops them in reverse.
 * Constructors only assign; `start()` does the work; `stop()` removes every listener and timer.
 */
import type { GatewayContext } from './context.ts';

export interface GatewayModule {
  readonly name: string;
  start(ctx: GatewayContext): Promise<void> | void;
  /**
   * Resolves when what `start()` left booting in the background (a worker thread) runs. The gateway
   * starts the next modules meanwhile and takes no device message, nor says it is ready, before.
   */
  ready?(): Promise<void>;
  /**
   * Called once every stage has started and the transport is up: work resumed from the store that
   * may publish (durable timers, unsent messages). Before this, a publish finds no broker.
   */
  resume?(): void;
  stop(): Promise<void> | void;
  /** Resolves when the work this module queued off the ingest path has run (replays, tests). */
  drain?(): Promise<void>;
}

/** `earlier` are the modules built before this one (a stage that drives another finds it there). */
export type ModuleFactory = (
  ctx: GatewayContext,
  earlier: readonly GatewayModule[],
) => GatewayModule | Promise<GatewayModule>;
