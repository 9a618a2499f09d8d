/**
 * The last step of ingest: what a codec decoded from one message, written item by item into the
 * stores inside the group commit — event time checked, water registers guarded, duplicates
 * skipped — with the device's activity recorded and the bus announcements of what is new queued
 * for after the commit.
 */
import type { Decoded, DecodedReading } from '../codecs/codec.ts';
import type { SiteIndex } from '../site/site-index.ts';
import { CodecError } from '../codecs/codec.ts';
import type { RejectReason } from '../contracts/dead-letters.ts';
import type { DeviceEvent, Reading, Track } from '../contracts/readings.ts';
import type { Device } from '../contracts/site.ts';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import type { Metrics } from '../core/metrics.ts';
import type { EventStore } from '../store/event-store.ts';
import type { ReadingStore } from '../store/reading-store.ts';
import type { InboundMessage } from '../transport/transport.ts';
import type { IngestTally } from './ingest-tally.ts';
import { checkedEventTime, Rejection, type EventTimeLimits, type RegisterGuard } from './reading-checks.ts';

/** What ingest tells the device-health monitor. */
export interface DeviceActivitySink {
  recordSeen(deviceId: string, at: number, batteryPct: number | null): void;
  recordStatus(deviceId: string, status: 'online' | 'offline', at: number): void;
}

export interface DecodedWriterDeps {
  site: Pick<SiteIndex, 'siteId'>;
  readings: ReadingStore;
  events: EventStore;
  bus: EventBus;
  metrics: Metrics;
  clock: Clock;
  activity: DeviceActivitySink;
  limits: EventTimeLimits;
  registers: RegisterGuard;
  tally: IngestTally;
  /** Queues a bus announcement for after the commit. */
  announce: (emit: () => void) => void;
  /** Dead-letters one item of the message (the rest of it is still written). */
  reject: (msg: InboundMessage, deviceId: string, reason: RejectReason, detail: string) => void;
}

export class DecodedWriter {
  constructor(private readonly deps: DecodedWriterDeps) {}

  write(decoded: Decoded, device: Device, msg: InboundMessage): void {
    const { bus, activity, clock } = this.deps;
    const { siteId } = this.deps.site;
    switch (decoded.type) {
      case 'status':
        activity.recordStatus(device.id, decoded.status, clock.now());
        return;
      case 'command_result': {
        activity.recordSeen(device.id, clock.now(), null);
        const result = {
          deviceId: device.id,
          id: decoded.id,
          ok: decoded.ok,
          ...(decoded.error ? { error: decoded.error } : {}),
          receivedAt: clock.now(),
        };
        this.deps.announce(() => bus.emit('commandResultReceived', result));
        return;
      }
      case 'readings':
        this.acceptReadings(decoded.readings, device, msg);
        return;
      case 'events': {
        const events: DeviceEvent[] = [];
        for (const e of decoded.events) {
          const ts = this.checkedTs(e.ts, 'ts', msg, device.id);
          if (ts !== null)
            events.push({
              siteId,
              deviceId: device.id,
              kind: device.kind,
              ts,
              type: e.type,
              confidence: e.confidence,
              attributes: e.attributes,
            });
        }
        const fresh = this.deps.events.insertEvents(events);
        this.deps.tally.duplicatesSkipped(events.length - fresh.length);
        activity.recordSeen(
          device.id,
          clock.now(),
          batteryOf(decoded.events.map((e) => e.attributes.battery_pct)),
        );
        for (const e of fresh) this.deps.announce(() => bus.emit('deviceEventAccepted', e));
        return;
      }
      case 'track': {
        const t = decoded.track;
        const startTs = this.checkedTs(t.startTs, 'start_ts', msg, device.id);
        activity.recordSeen(device.id, clock.now(), null);
        if (startTs === null) return;
        const track: Track = {
          siteId,
          deviceId: device.id,
          trackId: t.trackId,
          startTs,
          fps: t.fps,
          frame: t.frame,
          points: t.points,
          snapshotUrl: t.snapshotUrl,
          clipUrl: t.clipUrl,
        };
        if (this.deps.events.insertTrackOnce(track))
          this.deps.announce(() => bus.emit('trackAccepted', track));
        else this.deps.tally.duplicatesSkipped(1);
        return;
      }
    }
  }

  private acceptReadings(decoded: DecodedReading[], device: Device, msg: InboundMessage): void {
    const { readings: store, metrics, bus, activity, clock } = this.deps;
    const candidates: Reading[] = [];
    for (const d of decoded) {
      const ts = this.checkedTs(d.ts, 'ts', msg, device.id);
      if (ts === null) continue;
      candidates.push({
        siteId: this.deps.site.siteId,
        deviceId: device.id,
        kind: device.kind,
        ts,
        port: d.port,
        values: d.values,
        labels: d.labels,
      });
    }
    // Batches may arrive out of order; store and publish them in event-time order.
    candidates.sort((a, b) => a.ts - b.ts || (a.port ?? -1) - (b.port ?? -1));
    const writeStarted = process.hrtime.bigint();
    const fresh: Reading[] = [];
    let regressions = 0;
    for (const r of candidates) {
      const regression = device.kind === 'water_meter' ? this.deps.registers.regression(r) : null;
      if (regression) {
        regressions++;
        this.deps.reject(msg, device.id, 'counter_regression', regression);
        continue;
      }
      fresh.push(...store.insert([r]));
    }
    metrics.storeWriteSeconds.observe(Number(process.hrtime.bigint() - writeStarted) / 1e9);
    this.deps.tally.readingsStored(fresh.length);
    this.deps.tally.duplicatesSkipped(candidates.length - regressions - fresh.length);
    activity.recordSeen(device.id, clock.now(), batteryOf(candidates.map((r) => r.values.battery_pct)));
    for (const r of fresh) this.deps.announce(() => bus.emit('readingAccepted', r));
  }

  /** Event time in ms, or null after dead-lettering the item. */
  private checkedTs(
    raw: string | number,
    field: string,
    msg: InboundMessage,
    deviceId: string,
  ): number | null {
    try {
      return checkedEventTime(raw, field, this.deps.clock.now(), this.deps.limits);
    } catch (err) {
      if (!(err instanceof Rejection || err instanceof CodecError)) throw err;
      this.deps.reject(msg, deviceId, err.reason, err.message);
      return null;
    }
  }
}

function batteryOf(values: unknown[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (typeof values[i] === 'number') return values[i] as number;
  return null;
}
