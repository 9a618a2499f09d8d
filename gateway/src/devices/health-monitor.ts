/**
 * Device health: last seen, battery, online/offline. A device is offline when its status topic
 * (its MQTT will) says so, or when it has been silent for longer than OFFLINE_AFTER_INTERVALS
 * times its expected report interval. Transitions go on the bus (`deviceHealthChanged`), where
 * alerting turns them into device_offline alerts. State is saved so a restart remembers it.
 */
import type { SiteIndex } from '../config/site-index.ts';
import type { DeviceHealth, EventBus } from '../core/bus.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Metrics } from '../core/metrics.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { DeviceActivitySink } from '../ingest/pipeline.ts';

/** Silent for this many expected intervals = offline (one lost NB-IoT report is normal). */
export const OFFLINE_AFTER_INTERVALS = 2.5;
const CHECK_EVERY_MS = 30_000;
const SAVE_EVERY_MS = 10_000;

export class HealthMonitor implements DeviceActivitySink {
  private readonly health = new Map<string, DeviceHealth>();
  private readonly dirty = new Set<string>();
  private timers: TimerHandle[] = [];

  constructor(
    private readonly deps: {
      site: SiteIndex;
      store: DeviceStore;
      bus: EventBus;
      clock: Clock;
      metrics: Metrics;
    },
  ) {}

  start(): void {
    for (const h of this.deps.store.loadHealth(this.deps.site.siteId)) this.health.set(h.deviceId, h);
    this.timers.push(this.deps.clock.setInterval(CHECK_EVERY_MS, () => this.checkSilence()));
    this.timers.push(this.deps.clock.setInterval(SAVE_EVERY_MS, () => this.save()));
    this.updateGauge();
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
    for (const device of this.deps.site.allDevices()) {
      const h = this.health.get(device.id);
      if (!h || h.status !== 'online' || h.lastSeen === null || !device.reportIntervalS) continue;
      if (now - h.lastSeen > device.reportIntervalS * 1000 * OFFLINE_AFTER_INTERVALS)
        this.set(h, { ...h, status: 'offline', cause: 'silent' });
    }
  }

  private set(prev: DeviceHealth, next: DeviceHealth): void {
    this.health.set(next.deviceId, next);
    this.dirty.add(next.deviceId);
    if (prev.status !== next.status) {
      this.updateGauge();
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

  private updateGauge(): void {
    const counts = { online: 0, offline: 0, unknown: 0 };
    for (const h of this.all()) counts[h.status]++;
    for (const [status, n] of Object.entries(counts)) this.deps.metrics.devicesOnline.set({ status }, n);
  }
}
