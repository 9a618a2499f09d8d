/**
 * The gateway's side of the rules worker (rules-worker.ts): starts the thread, tells it what ingest
 * committed, the health changes, the rules and the clock's ticks, and hands each detection it
 * sends to `onDetection` (alerting stores it on the bus, synchronously) before acknowledging the
 * batch — the worker saves its cursor past a detection's input only after that.
 *
 * A worker that dies is started again: it resumes from its saved cursor, so what it had evaluated
 * but not saved is evaluated again (alert ids are content ids: stored once). One that dies again
 * and again (MAX_RESTARTS within RESTART_WINDOW_MS) is given up with a clear error in the log, and
 * `drain` and `stop` fail with it.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Detection } from '../../contracts/alerts.ts';
import type { DeviceHealth } from '../../contracts/events.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { SiteIndex } from '../../site/site-index.ts';
import { DEFAULT_TICK_MS } from './engine.ts';
import type { RuleHost } from './rule-host.ts';
import type { CompiledRule } from './types.ts';
import type { FromWorker, InstanceCounts, RuleSource, ToWorker, WorkerCall } from './worker-protocol.ts';

const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/**
 * The worker's entry is TypeScript, like the rest of the gateway: the thread first registers tsx's
 * loader (under `npm start` it inherits it; under vitest it has none), then imports the entry.
 */
function workerSource(): string {
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const loader = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./rules-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}

export interface WorkerHostDeps {
  dbFile: string;
  site: SiteIndex;
  clock: Clock;
  log: Logger;
  onDetection(d: Detection): void;
}

interface PendingCall {
  call: WorkerCall;
  resolve(counts: InstanceCounts | undefined): void;
  reject(err: Error): void;
}

const sources = (rules: CompiledRule[]): RuleSource[] => rules.map((r) => ({ file: r.file, text: r.text }));

export class WorkerHost implements RuleHost {
  private worker: Worker | null = null;
  /** The thread has loaded the rules: calls go to it (until then they wait for it). */
  private ready = false;
  private rules: RuleSource[] = [];
  private devicesSent = 0;
  private readonly calls = new Map<number, PendingCall>();
  private nextCall = 0;
  private stopping = false;
  private failure: Error | null = null;
  private restarts: number[] = [];
  private ticker: TimerHandle | null = null;

  constructor(private readonly deps: WorkerHostDeps) {}

  /** The running thread (for its id in logs, and for tests that end it to see it restart). */
  get thread(): Worker | null {
    return this.worker;
  }

  async start(rules: CompiledRule[]): Promise<void> {
    this.rules = sources(rules);
    await this.spawn();
    this.ticker = this.deps.clock.setInterval(DEFAULT_TICK_MS, () =>
      this.post({ type: 'tick', now: this.deps.clock.now() }),
    );
  }

  setRules(rules: CompiledRule[]): void {
    this.rules = sources(rules);
    this.post({ type: 'rules', rules: this.rules, now: this.deps.clock.now() });
  }

  wake(): void {
    const { site, clock } = this.deps;
    // Devices registered at run time (POST /api/devices) reach the worker before their readings.
    if (site.deviceCount !== this.devicesSent) {
      this.devicesSent = site.deviceCount;
      this.post({ type: 'devices', devices: site.allDevices(), now: clock.now() });
    }
    this.post({ type: 'wake', now: clock.now() });
  }

  health(h: DeviceHealth): void {
    this.post({ type: 'health', health: h, now: this.deps.clock.now() });
  }

  async instanceCounts(): Promise<Map<string, { pending: number; firing: number }>> {
    return new Map(await this.call('counts'));
  }

  async drain(): Promise<void> {
    await this.call('drain');
  }

  /** Evaluates what ingest committed, waits for alerting to store what that raised, and ends the thread. */
  async stop(): Promise<void> {
    this.ticker?.cancel();
    this.ticker = null;
    if (this.failure) throw this.failure;
    if (!this.worker) return;
    try {
      await this.call('stop');
    } finally {
      this.stopping = true;
      await this.worker?.terminate();
      this.worker = null;
    }
  }

  private call(call: WorkerCall): Promise<InstanceCounts | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.nextCall;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { call, resolve, reject });
      if (this.ready) this.post({ type: 'call', id, call });
    });
  }

  private post(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  /** Starts a thread and resolves when it has loaded the rules and rebuilt their windows. */
  private spawn(): Promise<void> {
    const { site, clock, log } = this.deps;
    this.devicesSent = site.deviceCount;
    this.ready = false;
    const worker = new Worker(workerSource(), {
      eval: true,
      workerData: {
        dbFile: this.deps.dbFile,
        site: site.site,
        rules: this.rules,
        now: clock.now(),
        logLevel: log.level,
      },
    });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let lastError: Error | null = null;
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          this.ready = true;
          // Calls made while it started, and those the previous thread left unanswered.
          for (const [id, c] of this.calls) this.post({ type: 'call', id, call: c.call });
          resolve();
        } else this.receive(worker, m);
      });
      worker.on('error', (err) => {
        lastError = err;
        log.error({ err, threadId: worker.threadId }, 'rules worker failed');
      });
      worker.on('exit', (code) => {
        if (this.stopping || this.worker !== worker) return;
        const wasReady = this.ready;
        this.worker = null;
        this.ready = false;
        const err = new Error(
          `rules worker exited (code ${code})${lastError ? `: ${lastError.message}` : ''}`,
        );
        if (!wasReady) reject(err);
        else this.restart(err);
      });
    });
  }

  private receive(from: Worker, m: FromWorker): void {
    if (m.type === 'detections') {
      for (const d of m.detections) this.deps.onDetection(d);
      // To the thread that sent them (never to one started after it died).
      const ack: ToWorker = { type: 'ack', batch: m.batch };
      from.postMessage(ack);
    } else if (m.type === 'reply') {
      const pending = this.calls.get(m.id);
      this.calls.delete(m.id);
      pending?.resolve(m.counts);
    } else if (m.type === 'log') this.relayLog(m.line);
  }

  private relayLog(line: string): void {
    const { level, msg, time: _time, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const log = this.deps.log;
    const text = String(msg ?? '');
    const n = Number(level);
    if (n >= 50) log.error(fields, text);
    else if (n >= 40) log.warn(fields, text);
    else if (n >= 30) log.info(fields, text);
    else log.debug(fields, text);
  }

  private restart(err: Error): void {
    const now = performance.now();
    this.restarts = [...this.restarts.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.restarts.length > MAX_RESTARTS) {
      this.failure = new Error(
        `rules stopped: the rules worker died ${this.restarts.length} times within ${RESTART_WINDOW_MS / 1000} s (last: ${err.message})`,
      );
      this.deps.log.fatal({ err: this.failure }, 'rules worker given up; no rule is evaluated');
      for (const c of this.calls.values()) c.reject(this.failure);
      this.calls.clear();
      return;
    }
    this.deps.log.error({ err }, 'rules worker died; starting it again from its saved cursor');
    this.spawn().catch((e: Error) => this.restart(e));
  }
}
