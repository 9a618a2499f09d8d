/**
 * Ingest: admission → topic → codec → validate → normalise event time → dedupe/order → store →
 * commit → bus. Every message ends in exactly one defined outcome per item: accepted,
 * de-duplicated, rejected to the dead-letter store with a reason, or — refused at admission or
 * rolled back by a failing store — not acknowledged, so that the device resends it (issue 14).
 * What a group commit stored is announced on the bus only once it has committed: no listener runs
 * inside ingest's transaction or on the acknowledgement path, and nothing announced can be undone.
 */
import type { SiteIndex } from '../site/site-index.ts';
import type { CodecRegistry } from '../codecs/registry.ts';
import { CodecError, type Codec } from '../codecs/codec.ts';
import type { DeadLetterReason, RejectReason } from '../contracts/dead-letters.ts';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { DeadLetterStore } from '../store/dead-letter-store.ts';
import type { EventStore } from '../store/event-store.ts';
import type { ReadingStore } from '../store/reading-store.ts';
import { DEVICE_TOPIC_FILTERS, parseDeviceTopic, type DeviceStream } from '../contracts/topics.ts';
import type { InboundMessage, IntakeLoad, Transport } from '../transport/transport.ts';
import { BoundedMemo } from '../core/bounded-memo.ts';
import { Errors } from '../core/errors.ts';
import { storeProblemOf } from '../store/store-health.ts';
import { GroupCommit } from './group-commit.ts';
import { IntakeTurn, TURN_MAX } from './intake-turn.ts';
import { Admission, type StoreWriteState } from './admission.ts';
import { DeviceLimits, type DeviceLimitSettings } from './device-limits.ts';
import { IngestTally } from './ingest-tally.ts';
import { RegisterGuard, Rejection } from './reading-checks.ts';
import { DecodedWriter, type DeviceActivitySink } from './decoded-writer.ts';
import { decodeMessage, isUrgentStream } from './decode.ts';

export interface IngestLimits extends DeviceLimitSettings {
  maxPayloadBytes: number;
  maxFutureSkewS: number;
  maxLatenessS: number;
  /** Messages waiting for the store at most (held ones included); beyond it, `overload`. */
  ingestMaxQueued: number;
}

export interface IngestDeps {
  site: SiteIndex;
  codecs: CodecRegistry;
  readings: ReadingStore;
  events: EventStore;
  deadLetters: DeadLetterStore;
  bus: EventBus;
  metrics: Metrics;
  clock: Clock;
  activity: DeviceActivitySink;
  limits: IngestLimits;
  /** Whether the store takes writes; told of every store failure. */
  store: StoreWriteState;
  log: Logger;
  /** Runs `fn` in one store transaction (group commit of a batch of messages). */
  inTransaction: (fn: () => void) => void;
}

/** A message to handle, or a dead letter that admission asked for. */
type Work = {
  msg: InboundMessage;
  note?: { deviceId: string | null; reason: DeadLetterReason; detail: string };
};

/** Where a topic's messages go: the device, its stream, and a vendor codec if the topic names one. */
interface Route {
  deviceId: string;
  stream: DeviceStream;
  codec: Codec | null;
}

const MAX_ROUTES = 10_000;

export class IngestPipeline implements IntakeLoad {
  private readonly groupCommit: GroupCommit<Work>;
  /** Topic → device and stream (parsing every message's topic showed in the ingest profile). */
  private readonly routes = new BoundedMemo<Route>(MAX_ROUTES);
  private readonly admission: Admission;
  private readonly registers: RegisterGuard;
  private readonly writer: DecodedWriter;
  /** Counts of the group commit under way; published when it commits. */
  private readonly tally = new IngestTally();
  /** Messages held for their device's rate, not yet queued for the store: each one's release. */
  private readonly held = new Set<() => void>();
  /** QoS 1 messages waiting (unacknowledged) for room in a full queue, oldest first. */
  private readonly waitingForRoom: Array<() => void> = [];
  private readonly turn = new IntakeTurn(
    () => this.full,
    () => this.letWaitingIn(),
  );
  /** Bus events of the group commit under way; emitted once it has committed, dropped on rollback. */
  private announcements: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly deps: IngestDeps) {
    this.registers = new RegisterGuard(deps.readings);
    const { site, readings, events, bus, metrics, clock, activity, limits } = deps;
    this.writer = new DecodedWriter({
      site,
      readings,
      events,
      bus,
      metrics,
      clock,
      activity,
      limits,
      registers: this.registers,
      tally: this.tally,
      announce: (emit) => this.announcements.push(emit),
      reject: (msg, deviceId, reason, detail) => this.reject(msg, deviceId, reason, detail),
    });
    this.groupCommit = new GroupCommit((work) => this.process(work), deps.inTransaction, {
      committed: () => {
        this.tally.applyTo(deps.metrics);
        this.announceCommitted();
        this.letWaitingIn();
        this.turn.roomFreed();
      },
      failed: (err, items) => {
        const refusal = this.rolledBack(err, items);
        // The refused burst still counts as queued until the commit returns: waiters (and paused
        // connections) are let in at the turn's end, after it.
        this.turn.endSoon();
        return refusal;
      },
    });
    this.admission = new Admission({
      store: deps.store,
      limits: new DeviceLimits(deps.limits),
      metrics: deps.metrics,
      writeNote: (msg, deviceId, reason, detail) =>
        // Its own promise: no device waits for a note, and a failing store only loses the note.
        void this.groupCommit.enqueue({ msg, note: { deviceId, reason, detail } }).catch(() => undefined),
    });
  }

  async start(transport: Transport): Promise<void> {
    this.stopped = false;
    const handler = (msg: InboundMessage): Promise<void> => this.enqueue(msg);
    transport.holdBackWhileFull?.(this, handler);
    for (const filter of [...DEVICE_TOPIC_FILTERS, ...this.deps.codecs.vendorFilters()])
      await transport.subscribe(filter, handler);
  }

  /**
   * After the transport has stopped: takes no more messages (refused unacknowledged, so the device
   * resends them to the next run) and resolves once everything taken is committed and announced,
   * so the detectors, stopped after this, have seen every message that was acknowledged.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    // A held message goes into the last commits now: waiting out its device's turn would hold
    // the stop for up to a minute, and dropping it would lose a QoS 0 message already read.
    for (const release of [...this.held]) release();
    while (this.queued > 0 || this.waitingForRoom.length) {
      this.letWaitingIn();
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Handles a message in the next group commit (after a hold when its device is over its rate);
   * resolves once it is committed, rejects with `Errors.ingestRefused` when it was refused or
   * rolled back (then it must not be acknowledged).
   */
  enqueue(msg: InboundMessage): Promise<void> {
    if (this.stopped)
      return Promise.reject(Errors.ingestRefused('ingest is stopping', { reason: 'stopping' }));
    const deviceId = this.knownDeviceOf(msg.topic);
    if (this.full) return this.overloaded(msg, deviceId);
    return this.admit(msg, deviceId);
  }

  /** Past WEIGE_INGEST_MAX_QUEUED or this turn's share: a message taken now is shed (QoS 0) or waits for room (QoS 1). */
  get full(): boolean {
    return this.room <= 0;
  }

  private get room(): number {
    return Math.min(this.deps.limits.ingestMaxQueued - this.load, TURN_MAX - this.turn.taken);
  }

  whenRoom(resume: () => void): void {
    this.turn.whenRoom(resume);
  }

  shedIfFull(msg: InboundMessage): boolean {
    if (!this.full || this.stopped || (msg.qos ?? 0) !== 0) return false;
    this.admission.overloaded(msg, this.knownDeviceOf(msg.topic));
    this.turn.endSoon();
    return true;
  }

  /** What counts against WEIGE_INGEST_MAX_QUEUED: held, queued, and taken in this turn. */
  private get load(): number {
    return this.held.size + Math.max(this.groupCommit.depth, this.turn.taken);
  }

  /** Camera events and tracks go on the urgent lane: committed (and announced) before bulk telemetry. */
  private store(work: Work): Promise<void> {
    this.turn.took();
    return this.groupCommit.enqueue(work, this.isUrgent(work.msg.topic));
  }

  private isUrgent(topic: string): boolean {
    try {
      return isUrgentStream(this.routes.get(topic, (t) => this.route(t)).stream);
    } catch {
      return false; // not a device topic: dead-lettered in the bulk lane
    }
  }

  private admit(msg: InboundMessage, deviceId: string | null): Promise<void> {
    const admitted = this.admission.check(msg, deviceId);
    if ('refused' in admitted) return Promise.reject(admitted.refused);
    // Stopping commits what it takes now (see stop): a message let in from the wait for room
    // then must not wait out its device's turn either.
    if (admitted.holdMs === 0 || this.stopped) return this.store({ msg });
    // Held for its turn: its PUBACK (and aedes reading more from that device) waits with it.
    return new Promise<void>((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        this.held.delete(release);
        resolve();
      };
      const timer = setTimeout(release, admitted.holdMs).unref();
      this.held.add(release);
    }).then(() => {
      const refusal = this.admission.checkStore();
      if (refusal) {
        // Its place is free without a commit: a message waiting for room must not wait for one.
        this.letWaitingIn();
        this.turn.roomFreed();
        throw refusal;
      }
      return this.store({ msg });
    });
  }

  /** Messages taken and not yet committed. */
  get queued(): number {
    return this.groupCommit.depth + this.held.size;
  }

  /**
   * A full queue: memory and latency stay bounded. QoS 0 is shed (nothing to acknowledge; the
   * embedded broker stops reading its connection until there is room, see ReadGate); QoS 1 waits
   * for room without its PUBACK, so aedes reads nothing more from its connection meanwhile.
   */
  private overloaded(msg: InboundMessage, deviceId: string | null): Promise<void> {
    this.admission.overloaded(msg, deviceId);
    this.turn.endSoon();
    if ((msg.qos ?? 0) === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.waitingForRoom.push(resolve)).then(() =>
      this.admit(msg, deviceId),
    );
  }

  /** Lets waiting QoS 1 messages in while there is room. */
  private letWaitingIn(): void {
    let room = this.room;
    while (room-- > 0 && this.waitingForRoom.length) this.waitingForRoom.shift()!();
  }

  /** A publish the broker policy refused: dead-lettered as an unknown or foreign topic. */
  recordDenied(msg: InboundMessage, deviceId: string | null, policyReason: string): void {
    const contractTopic = parseDeviceTopic(msg.topic) ?? this.deps.codecs.matchVendorTopic(msg.topic);
    this.admission.denied(msg, deviceId, contractTopic ? 'topic_not_allowed' : 'unknown_topic', policyReason);
  }

  /**
   * Handles one message synchronously, for replays inside the caller's own transaction: when it
   * returns, accepted data is written (committed once the caller commits).
   */
  handle(msg: InboundMessage): void {
    this.process({ msg });
    this.tally.applyTo(this.deps.metrics);
    this.announceCommitted();
  }

  /** Announces what the commit stored (for `handle`, what the caller's transaction will commit). */
  private announceCommitted(): void {
    const announcements = this.announcements;
    this.announcements = [];
    for (const announce of announcements) announce();
  }

  private knownDeviceOf(topic: string): string | null {
    try {
      const { deviceId } = this.routes.get(topic, (t) => this.route(t));
      return this.deps.site.device(deviceId) ? deviceId : null;
    } catch {
      return null; // not a device topic: process() dead-letters it with its reason
    }
  }

  /** The store failed mid-burst and rolled it back: nothing of it happened. */
  private rolledBack(err: unknown, items: number): Error {
    this.tally.discard();
    this.announcements = [];
    this.registers.forget();
    if (!this.deps.store.reportFailure(err, 'ingest commit'))
      this.deps.log.error({ err, items }, 'ingest commit failed');
    this.deps.metrics.messagesRefused.inc({ reason: 'store_unavailable' }, items);
    return Errors.ingestRefused(`store_unavailable: ${(err as Error)?.message ?? String(err)}`, {
      reason: 'store_unavailable',
    });
  }

  /** Throws only store failures, which roll back the whole group commit. */
  private process({ msg, note }: Work): void {
    if (note) {
      this.deadLetter(msg, note.deviceId, note.reason, note.detail);
      return;
    }
    const started = process.hrtime.bigint();
    let deviceId: string | null = null;
    let stream: DeviceStream | 'unknown' = 'unknown';
    try {
      const route = this.routes.get(msg.topic, (t) => this.route(t));
      deviceId = route.deviceId;
      stream = route.stream;
      this.tally.messageReceived(stream);
      if (msg.payload.length > this.deps.limits.maxPayloadBytes)
        throw new Rejection(
          'payload_too_large',
          `payload is ${msg.payload.length} bytes; the limit is ${this.deps.limits.maxPayloadBytes}`,
        );
      const device = this.deps.site.device(route.deviceId);
      if (!device)
        throw new Rejection('unknown_device', `no device '${route.deviceId}' in the site or the registry`);
      const codec = route.codec ?? this.deps.codecs.forDevice(device, route.stream);
      if (!codec.kinds.includes(device.kind))
        throw new Rejection('codec_mismatch', `codec '${codec.id}' does not decode ${device.kind} devices`);
      const decoded = decodeMessage(codec, msg, route.stream, device);
      this.writer.write(decoded, device, msg);
      this.tally.messageAccepted(stream);
    } catch (err) {
      if (storeProblemOf(err)) throw err;
      if (stream === 'unknown') this.tally.messageReceived(stream);
      if (err instanceof Rejection || err instanceof CodecError)
        this.reject(msg, deviceId, err.reason, err.message);
      else {
        this.deps.log.error({ err, topic: msg.topic }, 'ingest failed unexpectedly');
        this.reject(msg, deviceId, 'internal_error', (err as Error)?.message ?? String(err));
      }
    } finally {
      this.deps.metrics.ingestSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private route(topic: string): Route {
    const canonical = parseDeviceTopic(topic);
    if (canonical) return { ...canonical, codec: null };
    const vendor = this.deps.codecs.matchVendorTopic(topic);
    if (vendor) return { deviceId: vendor.deviceId, stream: vendor.stream, codec: vendor.codec };
    throw new Rejection(
      'unknown_topic',
      `topic '${topic.slice(0, 200)}' is neither weige/{deviceId}/{stream} nor a vendor codec topic`,
    );
  }

  private reject(msg: InboundMessage, deviceId: string | null, reason: RejectReason, detail: string): void {
    this.tally.messageRejected(reason);
    this.deadLetter(msg, deviceId, reason, detail);
  }

  private deadLetter(
    msg: InboundMessage,
    deviceId: string | null,
    reason: DeadLetterReason,
    detail: string,
  ): void {
    try {
      const record = this.deps.deadLetters.add({
        siteId: this.deps.site.siteId,
        receivedAt: msg.receivedAt,
        topic: msg.topic,
        deviceId,
        reason,
        detail,
        payload: msg.payload,
      });
      this.announcements.push(() => this.deps.bus.emit('messageRejected', record));
      if (this.deps.log.isLevelEnabled('debug'))
        this.deps.log.debug({ topic: msg.topic, reason, detail }, 'message rejected');
    } catch (err) {
      // Unstored evidence means an unacknowledged message: the store failure rolls the burst back.
      if (storeProblemOf(err)) throw err;
      this.deps.log.error({ err, topic: msg.topic, reason }, 'could not record dead letter');
    }
  }
}
