/**
 * The rule engine with what it needs to run: its state store, the feed over the stored readings
 * and events, and the windows rebuilt from history at start. The same runner serves both
 * placements (module.ts): inside the rules worker (live) and in the gateway's thread (replays on a
 * ManualClock). It reads the store only: detections leave through `emit`.
 */
import type { Detection } from '../../contracts/alerts.ts';
import type { DeviceHealth } from '../../contracts/events.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { SiteIndex } from '../../site/site-index.ts';
import type { Database } from '../../store/database.ts';
import type { EventStore } from '../../store/event-store.ts';
import type { SqliteReadingStore } from '../../store/reading-store.ts';
import { RuleEngine } from './engine.ts';
import { fromEvent, fromHealth, fromReading } from './observations.ts';
import { RuleFeed, type FeedCursor, type ObservationLog } from './rule-feed.ts';
import { SqliteRuleStateStore } from './state-store.ts';
import type { CompiledRule } from './types.ts';

/** Stored history older than a device's needs (plus this) is not reloaded at start. */
const PRELOAD_SLACK_MS = 6 * 3_600_000;

export interface RuleRunnerDeps {
  db: Database;
  readings: SqliteReadingStore;
  events: EventStore;
  site: SiteIndex;
  clock: Clock;
  log: Logger;
  emit(d: Detection): void;
  /** False while detections are on their way to alerting (the worker): saves wait for them. */
  settled?(): boolean;
}

/** The reading and event stores as the feed reads them. */
export function observationLog(readings: SqliteReadingStore, events: EventStore): ObservationLog {
  return {
    readSince: (afterSeq, limit) => readings.readSince(afterSeq, limit),
    eventsSince: (afterId, limit) => events.eventsSince(afterId, limit),
    lastSeq: () => readings.lastSeq(),
    lastEventId: () => events.lastEventId(),
  };
}

export class RuleRunner {
  readonly engine: RuleEngine;
  readonly feed: RuleFeed;

  constructor(private readonly deps: RuleRunnerDeps) {
    const state = new SqliteRuleStateStore(deps.db, deps.site.siteId);
    const engine = (this.engine = new RuleEngine({
      site: deps.site,
      clock: deps.clock,
      emit: (d) => deps.emit(d),
      persistence: state,
      log: deps.log,
      saveOnTick: !deps.settled,
    }));
    this.feed = new RuleFeed({
      log: observationLog(deps.readings, deps.events),
      cursors: state,
      evaluate: (o) => engine.ingest(o),
      saveState: () => engine.flush(),
      ...(deps.settled ? { settled: deps.settled } : {}),
      logger: deps.log,
    });
  }

  /** Loads the rules, rebuilds their windows up to the feed's cursor, and starts evaluating. */
  start(rules: CompiledRule[]): void {
    this.engine.setRules(rules);
    this.preload(this.feed.open());
    this.engine.start();
    this.feed.start();
  }

  /** Health changes are stored nowhere: they go straight in, at the time they happened. */
  health(h: DeviceHealth, at: number): void {
    this.engine.ingest(fromHealth(h, at));
  }

  /** Saves what every detection sent so far covers: the feed's cursor with the state, and what ticks changed. */
  saveSettled(): void {
    this.feed.save();
    this.engine.flush();
  }

  stop(): void {
    this.feed.stop();
    this.engine.stop();
  }

  /**
   * Rebuilds the windows every rule needs from what the feed has evaluated; what was stored after
   * `through` (a crash before its evaluation) the feed evaluates next.
   */
  private preload(through: FeedCursor): void {
    const { site, readings: readingStore, events: eventStore, clock } = this.deps;
    const engine = this.engine;
    let samples = 0;
    // Asked once, not once per registered device: most of a large site's devices have no history.
    const withReadings = readingStore.devicesWithReadings(site.siteId);
    for (const device of site.allDevices()) {
      const horizon = engine.horizonFor(device);
      if (horizon < 0) continue;
      const base = { siteId: site.siteId, deviceId: device.id, throughSeq: through.readingSeq };
      const newest = withReadings.has(device.id)
        ? readingStore.query({ ...base, order: 'desc', limit: 1 })[0]
        : undefined;
      if (newest) {
        const readings = readingStore.query({
          ...base,
          from: newest.ts - horizon - PRELOAD_SLACK_MS,
          to: newest.ts,
        });
        for (const r of readings) engine.preload(fromReading(r));
        samples += readings.length;
      }
      if (device.kind === 'camera') {
        const now = clock.now();
        const from = now - horizon - PRELOAD_SLACK_MS;
        const events = eventStore.queryEvents(site.siteId, device.id, from, now, undefined, through.eventId);
        for (const e of events) engine.preload(fromEvent(e));
        samples += events.length;
      }
    }
    this.deps.log.info({ samples }, 'rule windows rebuilt from stored history');
  }
}
