/**
 * Feeds the rule engine after ingest's commit, from the store: ingest's `readingAccepted` and
 * `deviceEventAccepted` only wake the feed, which reads what was stored past its durable cursor and
 * evaluates it in slices. About once a second it saves the rule state with the cursor, in the
 * rules' own transaction.
 *
 * Where it runs (module.ts): live, in the rules worker (rules-worker.ts), a thread of its own with
 * its own connection to the database, so no rule, however slow, holds up the gateway's event loop
 * and with it a PUBACK; the slices there only let the worker answer the gateway (drain, counts,
 * stop) between them. Replays and tests that drive a ManualClock run it in the gateway's thread
 * (a backfill evaluates inside its own open transaction, which another connection cannot see).
 *
 * A crash between ingest's commit and the evaluation loses nothing: the next start evaluates from
 * the cursor on. Detections reach alerting (its own transaction) before the cursor moves past their
 * input — in the worker, `settled` holds the save back until the gateway has acknowledged every
 * detection sent — so a crash in between raises them again; alert ids are content ids, stored once.
 */
import type { DeviceEvent, Reading } from '../../contracts/readings.ts';
import type { Logger } from '../../core/logger.ts';
import { fromEvent, fromReading } from './observations.ts';
import type { Observation } from './types.ts';

/** How far the rules have evaluated the stored readings and events. */
export interface FeedCursor {
  readingSeq: number;
  eventId: number;
}

/** The stored readings and events, in storage order (the reading and event stores). */
export interface ObservationLog {
  readSince(afterSeq: number, limit: number): Array<{ seq: number; reading: Reading }>;
  eventsSince(afterId: number, limit: number): Array<{ id: number; event: DeviceEvent }>;
  lastSeq(): number;
  lastEventId(): number;
}

/** Where the cursor is kept, next to the rule state it must agree with. */
export interface FeedCursorStore {
  loadCursor(): FeedCursor | null;
  saveCursor(cursor: FeedCursor): void;
  transaction(fn: () => void): void;
}

export interface RuleFeedDeps {
  log: ObservationLog;
  cursors: FeedCursorStore;
  /** Evaluates one observation (the engine's `ingest`). */
  evaluate(o: Observation): void;
  /** Saves the rule state that changed (the engine's `flush`), inside the cursor's transaction. */
  saveState(): void;
  /**
   * False while detections raised are not yet stored by alerting (the worker's round trip to the
   * gateway): the cursor is not saved past them until then. Absent: always stored (same thread).
   */
  settled?(): boolean;
  logger: Logger;
}

/** Rows read per query. */
const BATCH = 256;
/** A slice evaluates no longer than this before yielding to the event loop. */
const SLICE_NS = 5_000_000n;
/**
 * The cursor (with the rule state) is saved at most this often: a crash re-evaluates at most this
 * much, and a replay does not write a row per message.
 */
const SAVE_EVERY_NS = 1_000_000_000n;

export class RuleFeed {
  private cursor: FeedCursor = { readingSeq: 0, eventId: 0 };
  /** Evaluated through here; `cursor` is what was saved. */
  private evaluated: FeedCursor = { readingSeq: 0, eventId: 0 };
  private savedAt = 0n;
  private scheduled = false;
  private running = false;

  constructor(private readonly deps: RuleFeedDeps) {}

  /**
   * Loads the cursor; the first start begins at the newest stored (what was stored before the
   * rules existed is history, rebuilt into windows, not evaluated). Returns it: the windows are
   * rebuilt from what it covers.
   */
  open(): FeedCursor {
    const { log, cursors } = this.deps;
    const stored = cursors.loadCursor();
    this.cursor = stored ?? { readingSeq: log.lastSeq(), eventId: log.lastEventId() };
    if (!stored) cursors.saveCursor(this.cursor);
    this.evaluated = { ...this.cursor };
    return { ...this.cursor };
  }

  /** Evaluates what a previous run stored but did not evaluate, then whatever `wake` announces. */
  start(): void {
    this.running = true;
    this.wake();
  }

  /** Something was stored: evaluates it on a later turn of the event loop. */
  wake(): void {
    if (this.scheduled || !this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running && this.evaluateSlice(SLICE_NS)) this.wake();
    });
  }

  /** Evaluates everything stored so far, now (replays inside their own transaction, shutdown). */
  catchUp(): void {
    while (this.evaluateSlice(null));
  }

  /** Resolves when everything stored so far has been evaluated (replays, tests). */
  async drain(): Promise<void> {
    while (this.scheduled) await new Promise((r) => setImmediate(r));
  }

  /** Evaluates what is left (ingest has drained before this), saves, and stops. */
  stop(): void {
    this.halt();
    this.save();
  }

  /** Evaluates what is left and stops evaluating; `save` follows once the detections are stored. */
  halt(): void {
    if (this.running) this.catchUp();
    this.running = false;
  }

  /**
   * Evaluates stored observations past the cursor, events first — a camera event's alert must not
   * wait behind a backlog of telemetry (issue 16) — until `budgetNs` has passed (checked after each
   * observation: one reading's rules are the longest a PUBACK can wait); true when more wait.
   */
  private evaluateSlice(budgetNs: bigint | null): boolean {
    const { log } = this.deps;
    const deadline = budgetNs === null ? null : process.hrtime.bigint() + budgetNs;
    const overdue = (): boolean => deadline !== null && process.hrtime.bigint() >= deadline;
    const next = this.evaluated;
    let more = false;
    try {
      do {
        const events = log.eventsSince(next.eventId, BATCH);
        for (const { id, event } of events) {
          this.evaluateOne(fromEvent(event));
          next.eventId = id;
          if (overdue()) break;
        }
        if (
          events.length > 0 &&
          (next.eventId !== events[events.length - 1]!.id || events.length === BATCH)
        ) {
          more = true;
          continue;
        }
        const readings = log.readSince(next.readingSeq, BATCH);
        for (const { seq, reading } of readings) {
          this.evaluateOne(fromReading(reading));
          next.readingSeq = seq;
          if (overdue()) break;
        }
        more =
          readings.length > 0 &&
          (next.readingSeq !== readings[readings.length - 1]!.seq || readings.length === BATCH);
      } while (more && !overdue());
    } catch (err) {
      // The store could not be read: the next wake retries from the cursor.
      this.deps.logger.error({ err }, 'rules could not read stored observations');
      more = false;
    }
    if (process.hrtime.bigint() - this.savedAt >= SAVE_EVERY_NS) this.save();
    return more;
  }

  /** One rule's failure is logged; the others and the next observation still run. */
  private evaluateOne(o: Observation): void {
    try {
      this.deps.evaluate(o);
    } catch (err) {
      this.deps.logger.error({ err, deviceId: o.deviceId }, 'rule evaluation failed');
    }
  }

  /**
   * The rule state with the cursor it agrees with, in the rules' own transaction; nothing while
   * detections are on their way to alerting (the next slice or their acknowledgement saves).
   */
  save(): void {
    if (this.deps.settled && !this.deps.settled()) return;
    const next = { ...this.evaluated };
    if (next.readingSeq === this.cursor.readingSeq && next.eventId === this.cursor.eventId) return;
    this.savedAt = process.hrtime.bigint();
    try {
      this.deps.cursors.transaction(() => {
        this.deps.saveState();
        this.deps.cursors.saveCursor(next);
      });
      this.cursor = next;
    } catch (err) {
      // Not saved: a restart evaluates from the saved cursor again (alerting stores each alert once).
      this.deps.logger.error({ err }, 'rule state and feed cursor not saved');
    }
  }
}
