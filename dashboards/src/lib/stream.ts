/**
 * The push channel: WebSocket `GET /api/stream?token=<bearer>` carrying
 * `{"type":"alert"|"incident"|"device_health"|"site_mode","data":…}` (docs/api-stream.md).
 * It reconnects with backoff; after every (re)connect the page reloads its lists, so nothing sent
 * while the phone was out of coverage is missed. While the socket is down the page polls instead.
 */
import { locale } from './i18n.ts';
import { loadSession } from './session.ts';

export type StreamMessage =
  | { type: 'alert'; data: Record<string, unknown> }
  | { type: 'incident'; data: Record<string, unknown> }
  | { type: 'device_health'; data: Record<string, unknown> }
  | { type: 'site_mode'; data: { mode: 'normal' | 'emergency'; [k: string]: unknown } };

export type StreamStatus = 'connecting' | 'live' | 'offline';

export interface StreamHandlers {
  onMessage(msg: StreamMessage): void;
  /** Called on every (re)connect, and every POLL_MS while disconnected. */
  onResync(): void;
  onStatus(status: StreamStatus): void;
}

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** While the socket is down, lists are refreshed this often (milliseconds). */
const POLL_MS = 10_000;

export function openStream(handlers: StreamHandlers): () => void {
  let socket: WebSocket | null = null;
  let backoffMs = BACKOFF_MIN_MS;
  let closed = false;
  let retryTimer = 0;
  let pollTimer = 0;

  const startPolling = (): void => {
    if (!pollTimer) pollTimer = window.setInterval(() => handlers.onResync(), POLL_MS);
  };
  const stopPolling = (): void => {
    window.clearInterval(pollTimer);
    pollTimer = 0;
  };

  const connect = (): void => {
    const session = loadSession();
    if (!session || closed) return;
    handlers.onStatus('connecting');
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(
      `${proto}//${location.host}/api/stream?token=${encodeURIComponent(session.token)}&lang=${locale()}`,
    );
    socket.addEventListener('open', () => {
      backoffMs = BACKOFF_MIN_MS;
      stopPolling();
      handlers.onStatus('live');
      handlers.onResync();
    });
    socket.addEventListener('message', (ev) => {
      try {
        const msg = JSON.parse(String(ev.data)) as StreamMessage;
        if (msg && typeof msg.type === 'string') handlers.onMessage(msg);
      } catch {
        // A frame that is not JSON is ignored; the next resync repairs any gap.
      }
    });
    socket.addEventListener('close', () => {
      socket = null;
      if (closed) return;
      handlers.onStatus('offline');
      startPolling();
      retryTimer = window.setTimeout(connect, backoffMs);
      backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
    });
  };

  // Phones suspend sockets in the background; reconnect at once when the page is shown again.
  const onVisible = (): void => {
    if (document.visibilityState === 'visible' && !socket && !closed) {
      window.clearTimeout(retryTimer);
      backoffMs = BACKOFF_MIN_MS;
      connect();
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  window.addEventListener('online', onVisible);
  connect();

  return () => {
    closed = true;
    window.clearTimeout(retryTimer);
    stopPolling();
    document.removeEventListener('visibilitychange', onVisible);
    window.removeEventListener('online', onVisible);
    socket?.close();
  };
}
