/**
 * Device health: last seen, battery, online/offline. A device is offline when its status topic
 * (its MQTT will) says so, or when it has been silent for longer than OFFLINE_AFTER_INTERVALS
 * times its expected report interval. Transitions go on the bus (`deviceHealthChanged`), where
 * alerting turns them into device_offline alerts. State is saved so a restart remembers it.
 * Silence is judged on the site's event-time clock (a replayed month goes offline where the live
 * month did); saving runs on the housekeeping clock. Status counts are kept as devices change,
 * not recounted over every device at each change (O(N²) as 100 k devices come online).
 */
import type { SiteIndex } from '../site/site-index.ts';
import type { EventBus } from '../core/bus.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Metrics } from '../core/metrics.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { DeviceActivitySink } from '../ingest/decoded-writer.ts';
import type { DeviceHealth } from '../contracts/events.ts';

/** Silent for this many expected intervals = offline (one lost NB-IoT report is normal). */
export const OFFLINE_AFTER_INTERVALS = 2.5;
const CHECK_EVERY_MS = 30_000;
const SAVE_EVERY_MS = 10_000;

export class HealthMonitor implements DeviceActivitySink {
  private readonly health = new Map<string, DeviceHealth>();
  private readonly dirty = new Set<string>();
  /** Devices online now: the only ones silence can take offline. */
  private readonly online = new Set<string>();
  /** Registered devices online and offline; the rest of the site's devices are unknown. */
  private readonly counts = { online: 0, offline: 0 };
  private timers: TimerHandle[] = [];

  constructor(
    private readonly deps: {
      site: SiteIndex;
      store: DeviceStore;
      bus: EventBus;
      clock: Clock;
      /** For saving; `clock` when not given. */
      housekeepingClock?: Clock;
      metrics: Metrics;
    },
  ) {}

  start(): void {
    this.health.clear();
    this.online.clear();
    for (const h of this.deps.store.loadHealth(this.deps.site.siteId)) {
      this.health.set(h.deviceId, h);
      if (h.status === 'online') this.online.add(h.deviceId);
    }
    this.countAll();
    this.timers.push(this.deps.clock.setInterval(CHECK_EVERY_MS, () => this.checkSilence()));
    this.timers.push(
      (this.deps.housekeepingClock ?? this.deps.clock).setInterval(SAVE_EVERY_MS, () => this.save()),
    );
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
    this.save();
  }

  get(deviceId: string): DeviceHealth {
    return (
      this.health.get(deviceId) ?? {
        deviceId,
        status: 'unknown',
        lastSeen: null,
        batteryPct: null,
        cause: 'never_seen',
      }
    );
  }

  all(): DeviceHealth[] {
    return this.deps.site.allDevices().map((d) => this.get(d.id));
  }

  /** Any valid message means the device is alive, even after its will said offline. */
  recordSeen(deviceId: string, at: number, batteryPct: number | null): void {
    const prev = this.get(deviceId);
    this.set(prev, {
      deviceId,
      status: 'online',
      lastSeen: Math.max(prev.lastSeen ?? 0, at),
      batteryPct: batteryPct ?? prev.batteryPct,
      cause: 'message',
    });
  }

  recordStatus(deviceId: string, status: 'online' | 'offline', at: number): void {
    const prev = this.get(deviceId);
    this.set(prev, {
      ...prev,
      status,
      lastSeen: status === 'online' ? Math.max(prev.lastSeen ?? 0, at) : prev.lastSeen,
      cause: 'status_topic',
    });
  }

  /** Marks devices offline that have been silent too long. Public so replays can drive it. */
  checkSilence(): void {
    const now = this.deps.clock.now();
    for (const id of this.online) {
      const device = this.deps.site.device(id);
      const h = this.health.get(id);
      if (!device || !h || h.lastSeen === null || !device.reportIntervalS) continue;
      if (now - h.lastSeen > device.reportIntervalS * 1000 * OFFLINE_AFTER_INTERVALS)
        this.set(h, { ...h, status: 'offline', cause: 'silent' });
    }
  }

  private set(prev: DeviceHealth, next: DeviceHealth): void {
    this.health.set(next.deviceId, next);
    this.dirty.add(next.deviceId);
    if (prev.status !== next.status) {
      if (next.status === 'online') this.online.add(next.deviceId);
      else this.online.delete(next.deviceId);
      if (this.deps.site.device(next.deviceId)) {
        if (prev.status !== 'unknown') this.counts[prev.status]--;
        if (next.status !== 'unknown') this.counts[next.status]++;
        this.publishCounts();
      }
      this.deps.bus.emit('deviceHealthChanged', next);
    }
  }

  private save(): void {
    if (this.dirty.size === 0) return;
    const states = [...this.dirty].map((id) => this.health.get(id)!);
    // Cleared only once saved: a failing store (disk full) throws, and the next save retries.
    this.deps.store.saveHealth(this.deps.site.siteId, states);
    this.dirty.clear();
  }

  /** Counts every registered device once (at start); changes then adjust the counts. */
  private countAll(): void {
    this.counts.online = this.counts.offline = 0;
    for (const [id, h] of this.health)
      if (h.status !== 'unknown' && this.deps.site.device(id)) this.counts[h.status]++;
    this.publishCounts();
  }

  private publishCounts(): void {
    const { online, offline } = this.counts;
    const gauge = this.deps.metrics.devicesOnline;
    gauge.set({ status: 'online' }, online);
    gauge.set({ status: 'offline' }, offline);
    gauge.set({ status: 'unknown' }, this.deps.site.deviceCount - online - offline);
  }
}
