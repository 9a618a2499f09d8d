/** Device events and camera tracks, stored idempotently (the same event or track twice is one). */
import type { DeviceEvent, Track } from '../contracts/readings.ts';
import { inTransaction, lastAutoincrement, migrate, type Database } from './database.ts';

export class EventStore {
  private readonly insertEvent;
  private readonly insertTrack;
  private readonly eventsSinceStmt;

  constructor(private readonly db: Database) {
    migrate(db, 'events', [
      `CREATE TABLE device_events (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         site_id TEXT NOT NULL, device_id TEXT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL,
         confidence REAL, attributes TEXT NOT NULL, received_at INTEGER NOT NULL,
         UNIQUE (site_id, device_id, ts, type))`,
      `CREATE TABLE tracks (
         site_id TEXT NOT NULL, device_id TEXT NOT NULL, track_id TEXT NOT NULL, start_ts INTEGER NOT NULL,
         body TEXT NOT NULL, received_at INTEGER NOT NULL,
         PRIMARY KEY (site_id, device_id, track_id, start_ts))`,
    ]);
    this.insertEvent = db.prepare(
      'INSERT OR IGNORE INTO device_events (site_id, device_id, ts, type, confidence, attributes, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.eventsSinceStmt = db.prepare('SELECT * FROM device_events WHERE id > ? ORDER BY id LIMIT ?');
    this.insertTrack = db.prepare(
      'INSERT OR IGNORE INTO tracks (site_id, device_id, track_id, start_ts, body, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** Returns the events that were new. */
  insertEvents(events: DeviceEvent[]): DeviceEvent[] {
    const now = Date.now();
    return inTransaction(this.db, () =>
      events.filter(
        (e) =>
          this.insertEvent.run(
            e.siteId,
            e.deviceId,
            e.ts,
            e.type,
            e.confidence,
            JSON.stringify(e.attributes),
            now,
          ).changes > 0,
      ),
    );
  }

  /** True when the track was new. */
  insertTrackOnce(t: Track): boolean {
    return (
      this.insertTrack.run(t.siteId, t.deviceId, t.trackId, t.startTs, JSON.stringify(t), Date.now())
        .changes > 0
    );
  }

  getTrack(siteId: string, deviceId: string, trackId: string): Track | undefined {
    const row = this.db
      .prepare(
        'SELECT body FROM tracks WHERE site_id = ? AND device_id = ? AND track_id = ? ORDER BY start_ts DESC LIMIT 1',
      )
      .get(siteId, deviceId, trackId) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Track) : undefined;
  }

  /** With `throughId`, only events stored at or before that id (what a detector has seen). */
  queryEvents(
    siteId: string,
    deviceId: string,
    from = 0,
    to = Number.MAX_SAFE_INTEGER,
    limit = 1000,
    throughId = Number.MAX_SAFE_INTEGER,
  ): DeviceEvent[] {
    const rows = this.db
      .prepare(
        'SELECT * FROM device_events WHERE site_id = ? AND device_id = ? AND ts BETWEEN ? AND ? AND id <= ? ORDER BY ts LIMIT ?',
      )
      .all(siteId, deviceId, from, to, throughId, limit) as EventRow[];
    return rows.map(toEvent);
  }

  /** Device events stored after id `afterId`, in storage order (the rules' feed). */
  eventsSince(afterId: number, limit: number): Array<{ id: number; event: DeviceEvent }> {
    const rows = this.eventsSinceStmt.all(afterId, limit) as EventRow[];
    return rows.map((row) => ({ id: row.id, event: toEvent(row) }));
  }

  lastEventId(): number {
    return lastAutoincrement(this.db, 'device_events');
  }

  pruneBefore(ts: number): number {
    return (
      this.db.prepare('DELETE FROM device_events WHERE ts < ?').run(ts).changes +
      this.db.prepare('DELETE FROM tracks WHERE start_ts < ?').run(ts).changes
    );
  }
}

interface EventRow {
  id: number;
  site_id: string;
  device_id: string;
  ts: number;
  type: string;
  confidence: number | null;
  attributes: string;
}

function toEvent(r: EventRow): DeviceEvent {
  return {
    siteId: r.site_id,
    deviceId: r.device_id,
    kind: 'camera',
    ts: r.ts,
    type: r.type,
    confidence: r.confidence,
    attributes: JSON.parse(r.attributes) as Record<string, unknown>,
  };
}
