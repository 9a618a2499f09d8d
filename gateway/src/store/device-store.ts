/**
 * Devices registered at run time (POST /api/devices) and every device's last known health,
 * so a restart remembers when each device was last heard from.
 */
import type { Device } from '../contracts/site.ts';
import { migrate, type Database } from './database.ts';
import type { DeviceHealth } from '../contracts/events.ts';

export class DeviceStore {
  constructor(private readonly db: Database) {
    migrate(db, 'devices', [
      `CREATE TABLE registered_devices (site_id TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL,
         PRIMARY KEY (site_id, id))`,
      `CREATE TABLE device_health (site_id TEXT NOT NULL, device_id TEXT NOT NULL, status TEXT NOT NULL, last_seen INTEGER,
         battery_pct REAL, cause TEXT NOT NULL, PRIMARY KEY (site_id, device_id))`,
    ]);
  }

  register(siteId: string, device: Device): void {
    this.db
      .prepare('INSERT INTO registered_devices (site_id, id, body, created_at) VALUES (?, ?, ?, ?)')
      .run(siteId, device.id, JSON.stringify(device), Date.now());
  }

  registered(siteId: string): Device[] {
    const rows = this.db
      .prepare('SELECT body FROM registered_devices WHERE site_id = ? ORDER BY created_at')
      .all(siteId) as Array<{ body: string }>;
    return rows.map((r) => JSON.parse(r.body) as Device);
  }

  saveHealth(siteId: string, states: DeviceHealth[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO device_health (site_id, device_id, status, last_seen, battery_pct, cause) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(site_id, device_id) DO UPDATE SET status = excluded.status, last_seen = excluded.last_seen,
         battery_pct = excluded.battery_pct, cause = excluded.cause`,
    );
    this.db.transaction(() => {
      for (const s of states) stmt.run(siteId, s.deviceId, s.status, s.lastSeen, s.batteryPct, s.cause);
    })();
  }

  loadHealth(siteId: string): DeviceHealth[] {
    const rows = this.db.prepare('SELECT * FROM device_health WHERE site_id = ?').all(siteId) as Array<{
      device_id: string;
      status: 'online' | 'offline';
      last_seen: number | null;
      battery_pct: number | null;
      cause: string;
    }>;
    return rows.map((r) => ({
      deviceId: r.device_id,
      status: r.status,
      lastSeen: r.last_seen,
      batteryPct: r.battery_pct,
      cause: r.cause,
    }));
  }
}
