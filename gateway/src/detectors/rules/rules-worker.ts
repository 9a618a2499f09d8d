/**
 * The rules worker's entry (a worker_threads thread, started by worker-host.ts): it owns the rule
 * engine, its state and the feed, with its own connection to the gateway's WAL database, and reads
 * the readings and events ingest committed past its cursor. The gateway's event loop — ingest,
 * PUBACKs, alerting — never waits for a rule.
 *
 * Detections go to the gateway in batches; the gateway stores each through alerting and
 * acknowledges the batch, and only then may the cursor and the rule state be saved past them.
 * Time is the gateway's: each message brings its clock's `now`, and its ticks drive the engine's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Writable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import type { LevelWithSilent } from 'pino';
import type { Detection } from '../../contracts/alerts.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { createRootLogger } from '../../core/logger.ts';
import { SiteIndex } from '../../site/site-index.ts';
import { DeviceStore } from '../../store/device-store.ts';
import { EventStore } from '../../store/event-store.ts';
import { SqliteReadingStore } from '../../store/reading-store.ts';
import { parseRule } from './rule-loader.ts';
import { RuleRunner } from './rule-runner.ts';
import type { CompiledRule } from './types.ts';
import type { FromWorker, RuleSource, ToWorker, WorkerCall, WorkerInit } from './worker-protocol.ts';

/** The gateway's clock as its messages tell it; its ticks run the engine's periodic work. */
class DrivenClock implements Clock {
  private readonly periodic = new Set<() => void>();

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  /** Moves to the gateway's `now` (never back). */
  at(now: number): void {
    this.current = Math.max(this.current, now);
  }

  /** The gateway's clock reached a tick of the engine's period. */
  tick(now: number): void {
    this.at(now);
    for (const fn of this.periodic) fn();
  }

  setTimer(): TimerHandle {
    throw new Error('the rules worker has no timers of its own: the gateway ticks it');
  }

  setInterval(_periodMs: number, fn: () => void): TimerHandle {
    this.periodic.add(fn);
    return { cancel: () => this.periodic.delete(fn) };
  }
}

/** Detections on their way to the gateway: sent a batch per turn, held until acknowledged. */
class Delivery {
  private pending: Detection[] = [];
  private readonly unacked = new Set<number>();
  private batch = 0;
  private scheduled = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly send: (m: FromWorker) => void,
    private readonly onSettled: () => void,
  ) {}

  add(d: Detection): void {
    this.pending.push(d);
    if (this.scheduled) return;
    this.scheduled = true;
    // After the slice or message that raised it: one batch per turn of the worker's loop.
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (!this.pending.length) return;
    const batch = ++this.batch;
    this.unacked.add(batch);
    this.send({ type: 'detections', batch, detections: this.pending });
    this.pending = [];
  }

  acknowledged(batch: number): void {
    this.unacked.delete(batch);
    if (!this.settled()) return;
    this.onSettled();
    this.waiters.splice(0).forEach((w) => w());
  }

  settled(): boolean {
    return this.pending.length === 0 && this.unacked.size === 0;
  }

  /** Sends what is pending and resolves when the gateway has stored all of it. */
  whenSettled(): Promise<void> {
    this.flush();
    if (this.settled()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

function compile(sources: RuleSource[]): CompiledRule[] {
  return sources.flatMap((s) => parseRule(s.text, s.file).rule ?? []);
}

/** pino lines go to the gateway, which writes them to its log. */
function workerLog(level: string, send: (m: FromWorker) => void) {
  const out = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      send({ type: 'log', line: chunk.toString() });
      done();
    },
  });
  return createRootLogger(level as LevelWithSilent, 'json', out);
}

function main(init: WorkerInit): void {
  const port = parentPort!;
  const send = (m: FromWorker): void => port.postMessage(m);
  const db = new BetterSqlite3(init.dbFile);
  db.pragma('busy_timeout = 5000');
  const site = new SiteIndex(init.site);
  // From the store, as the gateway read them at start (POST /api/devices stores a device before
  // adding it): not a structured clone of every device through workerData (issue 16).
  for (const d of new DeviceStore(db).registered(site.siteId)) site.addDevice(d);
  const clock = new DrivenClock(init.now);
  const delivery = new Delivery(send, () => runner.saveSettled());
  const runner = new RuleRunner({
    db,
    readings: new SqliteReadingStore(db),
    events: new EventStore(db),
    site,
    clock,
    log: workerLog(init.logLevel, send),
    emit: (d) => delivery.add(d),
    settled: () => delivery.settled(),
  });
  runner.start(compile(init.rules));

  const answer = async (id: number, call: WorkerCall): Promise<void> => {
    if (call === 'counts') return send({ type: 'reply', id, counts: [...runner.engine.instanceCounts()] });
    if (call === 'drain') runner.feed.catchUp();
    else runner.feed.halt();
    await delivery.whenSettled();
    if (call === 'stop') {
      runner.stop();
      db.close();
      port.removeAllListeners('message');
    }
    send({ type: 'reply', id });
  };
  port.on('message', (m: ToWorker) => {
    if (m.type === 'ack') return delivery.acknowledged(m.batch);
    if (m.type === 'call') return void answer(m.id, m.call);
    clock.at(m.now);
    if (m.type === 'wake') runner.feed.wake();
    else if (m.type === 'tick') {
      clock.tick(m.now);
      if (delivery.settled()) runner.engine.flush();
    } else if (m.type === 'health') runner.health(m.health, m.now);
    else if (m.type === 'rules') runner.engine.setRules(compile(m.rules));
    else for (const d of m.devices) site.addDevice(d);
  });
  send({ type: 'ready' });
}

main(workerData as WorkerInit);
