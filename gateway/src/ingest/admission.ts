/**
 * Admission: whether and when ingest takes a message, decided before it is queued for the store
 * (issue 14). A message over its device's rate is held for its turn (the device is slowed by
 * backpressure). A message is refused — not acknowledged, so the device resends it later — while
 * the store is not writable, or when its device is over its daily quota or far over its rate.
 * Refusals are counted per message (weige_messages_refused_total) and dead-lettered at most once
 * per device, reason and minute with the count, so that a flood cannot fill the disk with its
 * own evidence.
 */
import type { DeadLetterReason, RefuseReason } from '../contracts/dead-letters.ts';
import { Errors, type WeigeError } from '../core/errors.ts';
import type { Metrics } from '../core/metrics.ts';
import type { InboundMessage } from '../transport/transport.ts';
import type { DeviceLimits } from './device-limits.ts';

/** What admission needs to know of the store. */
export interface StoreWriteState {
  readonly writable: boolean;
  /** True when `err` is a store failure (the store is then not writable). */
  reportFailure(err: unknown, where: string): boolean;
}

/** A dead letter admission asks ingest to write (in its next group commit). */
export type NoteWriter = (
  msg: InboundMessage,
  deviceId: string | null,
  reason: DeadLetterReason,
  detail: string,
) => void;

const NOTE_EVERY_MS = 60_000;
const GO = { holdMs: 0 } as const;

export class Admission {
  /** `${deviceId}|${reason}|${outcome}` → when the last dead letter was written, and refusals since. */
  private readonly notes = new Map<string, { at: number; unreported: number }>();
  private readonly errors = new Map<RefuseReason, WeigeError>();

  constructor(
    private readonly deps: {
      store: StoreWriteState;
      limits: DeviceLimits;
      metrics: Metrics;
      writeNote: NoteWriter;
    },
  ) {}

  /**
   * Go after `holdMs` (0: now), or the error to refuse the message with. `deviceId` is the known
   * device the topic names (null: ingest rejects the message with its own reason).
   */
  check(msg: InboundMessage, deviceId: string | null): { holdMs: number } | { refused: WeigeError } {
    const storeRefusal = this.checkStore();
    if (storeRefusal) return { refused: storeRefusal };
    if (deviceId === null || msg.trusted) return GO;
    const admit = this.deps.limits.take(deviceId, msg.payload.length, msg.receivedAt);
    if ('refuse' in admit) {
      const detail = `device '${deviceId}' is ${this.deps.limits.describe(admit.refuse)}`;
      this.note(msg, deviceId, admit.refuse, 'refused', `${detail}: refused without acknowledgement`);
      return { refused: this.refused(admit.refuse) };
    }
    if (admit.over) {
      this.deps.metrics.messagesHeld.inc({ reason: admit.over });
      const detail = `device '${deviceId}' is ${this.deps.limits.describe(admit.over)}`;
      this.note(
        msg,
        deviceId,
        admit.over,
        'held',
        `${detail}: held back to that rate (stored, acknowledged late)`,
      );
    }
    return admit;
  }

  /** The refusal while the store is not writable (also checked again after a hold), else null. */
  checkStore(): WeigeError | null {
    return this.deps.store.writable ? null : this.refused('store_unavailable');
  }

  /**
   * The ingest queue is full: a QoS 0 message is shed, a QoS 1 message waits for room without
   * its PUBACK. Counted per message, noted once per device and minute.
   */
  overloaded(msg: InboundMessage, deviceId: string | null): void {
    this.deps.metrics.messagesRefused.inc({ reason: 'overload' });
    const outcome =
      (msg.qos ?? 0) === 0 ? 'shed (QoS 0, dropped)' : 'held unacknowledged until there is room';
    this.note(msg, deviceId, 'overload', 'refused', `the ingest queue is full: ${outcome}`);
  }

  /** A publish the broker policy refused (the connection is closed): counted and noted. */
  denied(
    msg: InboundMessage,
    deviceId: string | null,
    reason: 'unknown_topic' | 'topic_not_allowed',
    detail: string,
  ): void {
    this.deps.metrics.messagesRejected.inc({ reason });
    this.note(msg, deviceId, reason, 'refused', detail);
  }

  /** Dead-letters the first of its kind per device and minute; the next one carries the count. */
  private note(
    msg: InboundMessage,
    deviceId: string | null,
    reason: DeadLetterReason,
    outcome: 'held' | 'refused',
    detail: string,
  ): void {
    const key = `${deviceId ?? ''}|${reason}|${outcome}`;
    const last = this.notes.get(key);
    if (last && msg.receivedAt - last.at < NOTE_EVERY_MS) {
      last.unreported++;
      return;
    }
    const earlier = last?.unreported ?? 0;
    this.notes.set(key, { at: msg.receivedAt, unreported: 0 });
    this.deps.writeNote(
      msg,
      deviceId,
      reason,
      earlier ? `${detail} (and ${earlier} more since the last such dead letter)` : detail,
    );
  }

  private refused(reason: RefuseReason): WeigeError {
    this.deps.metrics.messagesRefused.inc({ reason });
    // One error per reason, made once: a flood is refused thousands of times a second, and the
    // details are in the dead letter.
    let err = this.errors.get(reason);
    if (!err) {
      err = Errors.ingestRefused(`message refused: ${reason}`, { reason });
      this.errors.set(reason, err);
    }
    return err;
  }
}
