/**
 * Server push for the web pages: `GET /api/stream?token=<bearer token>` upgrades to a WebSocket
 * (browsers cannot set headers on one, hence the query token) and sends JSON frames
 * `{"type":"alert"|"incident"|"device_health"|"site_mode","data":…}`, each scoped to the user's
 * grid exactly as the REST routes are. Protocol: docs/api-stream.md.
 */
import type { WebSocket } from 'ws';
import type { AuthUser } from '../contracts/auth.ts';
import type { SiteIndex } from '../site/site-index.ts';
import type { Alert } from '../contracts/alerts.ts';
import type { DeviceHealth } from '../contracts/events.ts';
import type { IncidentView } from '../contracts/incidents.ts';

export type StreamType = 'alert' | 'incident' | 'device_health' | 'site_mode';
type Lang = 'zh-CN' | 'en';

interface Client {
  socket: WebSocket;
  user: AuthUser;
  lang: Lang;
  alive: boolean;
}

/** Ping every client this often; one that has not answered the previous ping is dropped. */
export const HEARTBEAT_MS = 30_000;

/** Frames waiting on a slow client beyond this many bytes: it is cut off (it can reconnect and re-read). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export class StreamHub {
  private readonly clients = new Set<Client>();

  constructor(private readonly site: SiteIndex) {}

  get size(): number {
    return this.clients.size;
  }

  add(socket: WebSocket, user: AuthUser, lang: Lang): void {
    const client: Client = { socket, user, lang, alive: true };
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
  }

  /** Keeps NAT and proxy mappings open and finds phones that vanished without a close. */
  heartbeat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.socket.terminate();
        this.clients.delete(c);
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }

  closeAll(): void {
    for (const c of this.clients) c.socket.close(1001, 'gateway stopping');
    this.clients.clear();
  }

  alert(
    a: Alert & {
      gridNode?: string | null;
      texts?: { title: Record<string, string>; message: Record<string, string> };
    },
  ): void {
    const node = a.gridNode ?? a.grid[a.grid.length - 1] ?? null;
    this.send(
      'alert',
      (c) => this.sees(c.user, node),
      (c) => localize(a, c.lang),
    );
  }

  incident(i: IncidentView): void {
    const grid = i.grid;
    const paged = i.paged;
    const node = grid[grid.length - 1] ?? null;
    this.send(
      'incident',
      (c) => this.sees(c.user, node) || paged.some((p) => p.staffId === c.user.id),
      (c) => localize(i as never, c.lang),
    );
  }

  deviceHealth(h: DeviceHealth): void {
    const device = this.site.device(h.deviceId);
    const node = device ? this.site.deviceGrid(device) : null;
    const data = { ...h, lastSeen: h.lastSeen === null ? null : new Date(h.lastSeen).toISOString() };
    this.send(
      'device_health',
      (c) => this.sees(c.user, node),
      () => data,
    );
  }

  siteMode(m: { siteId: string; mode: string; by: string; at: number }): void {
    const data = { ...m, at: new Date(m.at).toISOString() };
    this.send(
      'site_mode',
      () => true,
      () => data,
    );
  }

  private sees(user: AuthUser, node: string | null): boolean {
    if (user.roles.includes('admin')) return true;
    return this.site.isWithin(node ?? this.site.site.grid.id, user.grid);
  }

  private send(type: StreamType, allowed: (c: Client) => boolean, data: (c: Client) => unknown): void {
    for (const c of this.clients) {
      if (c.socket.readyState !== c.socket.OPEN || !allowed(c)) continue;
      if (c.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        c.socket.close(1013, 'too far behind; reconnect');
        continue;
      }
      c.socket.send(JSON.stringify({ type, data: data(c) }));
    }
  }
}

function localize<
  T extends {
    title?: unknown;
    message?: unknown;
    texts?: { title: Record<string, string>; message: Record<string, string> };
  },
>(x: T, lang: Lang): T {
  if (lang === 'zh-CN' || !x.texts) return x;
  return { ...x, title: x.texts.title[lang] ?? x.title, message: x.texts.message[lang] ?? x.message };
}
