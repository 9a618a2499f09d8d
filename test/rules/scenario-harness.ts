/**
 * Runs a simulator scenario in-process through the real ingest pipeline (codecs, validation,
 * SQLite, bus, device health) and the rule engine with the shipped packs, fed from the store as
 * the gateway feeds it, on a ManualClock driven by the simulated publish times. No broker, no
 * waiting: a simulated week takes seconds.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SiteIndex } from '../../gateway/src/site/site-index.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../gateway/src/site/site-loader.ts';
import { CodecRegistry } from '../../gateway/src/codecs/registry.ts';
import type { Detection } from '../../gateway/src/contracts/alerts.ts';
import { EventBus } from '../../gateway/src/core/bus.ts';
import { ManualClock } from '../../gateway/src/core/clock.ts';
import { createRootLogger } from '../../gateway/src/core/logger.ts';
import { createMetrics } from '../../gateway/src/core/metrics.ts';
import { PACKS_DIR } from '../../gateway/src/detectors/rules/module.ts';
import { RuleRunner } from '../../gateway/src/detectors/rules/rule-runner.ts';
import { loadRuleDirs } from '../../gateway/src/detectors/rules/rule-loader.ts';
import { HealthMonitor } from '../../gateway/src/devices/health-monitor.ts';
import { IngestPipeline } from '../../gateway/src/ingest/pipeline.ts';
import { openDatabase } from '../../gateway/src/store/database.ts';
import { DeadLetterStore } from '../../gateway/src/store/dead-letter-store.ts';
import { DeviceStore } from '../../gateway/src/store/device-store.ts';
import { EventStore } from '../../gateway/src/store/event-store.ts';
import { SqliteReadingStore } from '../../gateway/src/store/reading-store.ts';
import type { Scenario } from '../../simulators/scenario/types.ts';
import { createSimulation } from '../../simulators/simulation.ts';
import type { SimMessage, TruthRecord } from '../../simulators/core/types.ts';

const BURST = 200;

export interface ScenarioRun {
  detections: Detection[];
  truth: TruthRecord[];
  messages: number;
  rejected: Record<string, number>;
}

export function runScenario(scenario: string | Scenario, now = Date.UTC(2026, 10, 25, 4)): ScenarioRun {
  // A RAM disk when there is one: the run writes every reading, and disk syncs would dominate.
  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'weige-scenario-'));
  const db = openDatabase(dir);
  try {
    const site = new SiteIndex(loadSiteFile(EXAMPLE_SITE_FILE));
    const sim = createSimulation({ site: EXAMPLE_SITE_FILE, scenario, now });
    const clock = new ManualClock(sim.startMs);
    const log = createRootLogger('silent');
    const bus = new EventBus(log);
    const metrics = createMetrics();
    const devices = new DeviceStore(db);
    const health = new HealthMonitor({ site, store: devices, bus, clock, metrics });
    const deadLetters = new DeadLetterStore(db);
    const readings = new SqliteReadingStore(db);
    const events = new EventStore(db);
    const ingest = new IngestPipeline({
      site,
      codecs: new CodecRegistry(),
      readings,
      events,
      deadLetters,
      bus,
      metrics,
      clock,
      activity: health,
      // Replays call handle() directly: admission (device limits, store state) is not in the path.
      limits: {
        maxPayloadBytes: 256 * 1024,
        maxFutureSkewS: 300,
        maxLatenessS: 35 * 86400,
        deviceMaxMsgsPerS: 20,
        deviceMaxBytesPerS: 256 * 1024,
        deviceDailyQuotaBytes: 512 * 1024 * 1024,
        ingestMaxQueued: 10_000,
      },
      store: { writable: true, reportFailure: () => false },
      log,
      inTransaction: (fn) => db.transaction(fn)(),
    });
    const detections: Detection[] = [];
    // The gateway's rules in its thread (the placement replays on a ManualClock get).
    const rules = new RuleRunner({ db, readings, events, site, clock, log, emit: (d) => detections.push(d) });
    rules.start(loadRuleDirs([PACKS_DIR]).rules);
    bus.on('deviceHealthChanged', (h) => rules.health(h, clock.now()));
    health.start();
    let messages = 0;
    // Group commit, as the gateway does under load: one store transaction per burst of messages.
    const burst: SimMessage[] = [];
    const flush = db.transaction(() => {
      for (const m of burst) {
        clock.advanceTo(m.at);
        ingest.handle({ topic: m.topic, payload: Buffer.from(m.payload), receivedAt: m.at });
        // At the message's time, as the gateway's feed evaluates it a moment after the commit.
        rules.feed.catchUp();
      }
    });
    for (const m of sim.engine.messages()) {
      burst.push(m);
      messages++;
      if (burst.length === BURST) {
        flush();
        burst.length = 0;
      }
    }
    flush();
    clock.advanceTo(sim.endMs);
    rules.stop();
    health.stop();
    return {
      detections,
      truth: sim.engine.truthRecords,
      messages,
      rejected: deadLetters.countByReason(site.siteId),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
