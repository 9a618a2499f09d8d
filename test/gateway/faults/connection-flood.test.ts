/**
 * Socket exhaustion and slow-loris against the real gateway process (issue 14: 19,990 idle
 * sockets to the HTTP port made MQTT and /healthz unreachable, and nothing was logged). The
 * attacker is 127.0.0.2–4 and the devices and the health check are 127.0.0.1 (all of 127/8 is
 * loopback on Linux), so the per-address caps are what is tested.
 */
import net from 'node:net';
import { rmSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnGateway, type GatewayProcess } from '../../helpers/gateway-process.ts';
import { eventually, makeDataDir } from '../../helpers/gateway.ts';
import { loadSiteFile, EXAMPLE_SITE_FILE } from '../../../gateway/src/site/site-loader.ts';

const ATTEMPTS = 20_000;
const IN_FLIGHT = 400;

let proc: GatewayProcess | null = null;
let dataDir: string | null = null;
afterEach(async () => {
  await proc?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  proc = null;
});

async function start(env: Record<string, string> = {}): Promise<GatewayProcess> {
  dataDir = makeDataDir();
  proc = await spawnGateway({ WEIGE_DATA_DIR: dataDir, ...env });
  return proc;
}

interface Flood {
  /** Sockets the gateway closed (refused at accept, or timed out). */
  closedByServer: number;
  /** Sockets still open when the flood ended; the caller destroys them. */
  held: net.Socket[];
}

/** Opens `attempts` idle TCP connections from `localAddress`, `IN_FLIGHT` at a time, and keeps
 *  each one open until the gateway closes it. */
async function flood(port: number, localAddress: string, attempts = ATTEMPTS): Promise<Flood> {
  const open = new Set<net.Socket>();
  let closedByServer = 0;
  let failedToConnect = 0;
  let started = 0;
  let pending = 0;
  await new Promise<void>((resolve) => {
    const next = (): void => {
      if (started === attempts && pending === 0) return resolve();
      while (pending < IN_FLIGHT && started < attempts) {
        started++;
        pending++;
        const socket = net.connect({ port, host: '127.0.0.1', localAddress });
        let settled = false;
        const settle = (): void => {
          if (settled) return;
          settled = true;
          pending--;
          next();
        };
        socket.on('connect', () => {
          open.add(socket);
          // A refused socket is closed at once; wait a moment before counting it as held.
          setTimeout(settle, 5);
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          if (open.delete(socket)) closedByServer++;
          else failedToConnect++;
          settle();
        });
      }
    };
    next();
  });
  // Refused sockets close at once, but their close events may still be on their way.
  await new Promise((r) => setTimeout(r, 500));
  expect(failedToConnect).toBe(0);
  return { closedByServer, held: [...open] };
}

/** Devices take turns to probe (one device reconnecting every 250 ms would be throttled). */
const DEVICES = loadSiteFile(EXAMPLE_SITE_FILE).devices.map((d) => d.id);
let probeCount = 0;

/** Health and a device's CONNECT + PUBACK, from 127.0.0.1. */
async function reachable(gateway: GatewayProcess): Promise<boolean> {
  const health = await fetch(`${gateway.http}/healthz`, { signal: AbortSignal.timeout(5000) });
  if (health.status !== 200) return false;
  const id = DEVICES[probeCount++ % DEVICES.length]!;
  const device = await mqtt.connectAsync(gateway.mqttUrl, {
    username: id,
    password: 'weige-device',
    clientId: id,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  try {
    await device.publishAsync(`weige/${id}/status`, JSON.stringify({ online: true }), { qos: 1 });
    return true;
  } finally {
    await device.endAsync(true);
  }
}

async function metric(gateway: GatewayProcess, series: string): Promise<number> {
  const text = await (await fetch(`${gateway.http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Runs `probe` every 250 ms while `work` runs; resolves with the probe results. */
async function probeDuring<T>(
  work: Promise<T>,
  probe: () => Promise<boolean>,
): Promise<{ result: T; probes: boolean[] }> {
  const probes: boolean[] = [];
  let done = false;
  const loop = (async () => {
    while (!done) {
      probes.push(await probe().catch(() => false));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const result = await work;
  done = true;
  await loop;
  return { result, probes };
}

describe('connection floods', { timeout: 180_000 }, () => {
  it('stays reachable for devices and /healthz under 20,000 idle sockets to the HTTP port from one address', async () => {
    // Long timeouts, so that the held sockets stay for the whole flood.
    const gateway = await start({
      WEIGE_HTTP_HEADERS_TIMEOUT_S: '600',
      WEIGE_HTTP_REQUEST_TIMEOUT_S: '600',
      WEIGE_HTTP_IDLE_TIMEOUT_S: '600',
    });
    const port = Number(new URL(gateway.http).port);
    const { result, probes } = await probeDuring(flood(port, '127.0.0.2'), () => reachable(gateway));
    try {
      expect(probes.length).toBeGreaterThan(0);
      expect(probes.every(Boolean)).toBe(true);
      // The per-address cap (200 by default) held, the rest were closed at once.
      expect(result.held.length).toBeLessThanOrEqual(200);
      expect(result.closedByServer).toBeGreaterThanOrEqual(ATTEMPTS - 200);
      expect(await reachable(gateway)).toBe(true);
      expect(
        await metric(gateway, 'weige_connections_refused_total{server="http",reason="address_limit"}'),
      ).toBe(result.closedByServer);
      // Logged once, when the limit began to bite.
      expect(gateway.logs().match(/http connection limit reached/g)).toHaveLength(1);
    } finally {
      for (const s of result.held) s.destroy();
    }
  });

  it('stays reachable for devices under 20,000 idle sockets to the MQTT port from one address', async () => {
    const gateway = await start({
      WEIGE_MQTT_MAX_CONNECTIONS_PER_IP: '500',
      WEIGE_MQTT_CONNECT_TIMEOUT_S: '600',
    });
    const port = Number(new URL(gateway.mqttUrl).port);
    const { result, probes } = await probeDuring(flood(port, '127.0.0.2'), () => reachable(gateway));
    try {
      expect(probes.every(Boolean)).toBe(true);
      expect(result.held.length).toBeLessThanOrEqual(500);
      expect(result.closedByServer).toBeGreaterThanOrEqual(ATTEMPTS - 500);
      expect(await reachable(gateway)).toBe(true);
      expect(gateway.logs().match(/mqtt connection limit reached/g)).toHaveLength(1);
    } finally {
      for (const s of result.held) s.destroy();
    }
  });

  it('closes slow-header (slow-loris) and silent sockets, and stays reachable meanwhile', async () => {
    const gateway = await start({ WEIGE_HTTP_HEADERS_TIMEOUT_S: '2', WEIGE_HTTP_IDLE_TIMEOUT_S: '60' });
    const port = Number(new URL(gateway.http).port);
    const sockets: net.Socket[] = [];
    const closed = new Set<net.Socket>();
    const trickles: NodeJS.Timeout[] = [];
    for (let i = 0; i < 150; i++) {
      // Slow-loris: a request line, then one header line every 500 ms, never the blank line.
      const slow = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.3' }, () => {
        slow.write('GET /healthz HTTP/1.1\r\nHost: weige\r\n');
        trickles.push(setInterval(() => slow.writable && slow.write(`X-Slow-${i}: a\r\n`), 500));
      });
      // Silent: connects and never sends a byte.
      const silent = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.4' });
      for (const s of [slow, silent]) {
        s.on('error', () => undefined);
        s.on('close', () => closed.add(s));
        sockets.push(s);
      }
    }
    try {
      const { probes } = await probeDuring(
        eventually(() => closed.size === sockets.length, 20_000),
        () => reachable(gateway),
      );
      expect(probes.every(Boolean)).toBe(true);
      expect(closed.size).toBe(300);
    } finally {
      for (const t of trickles) clearInterval(t);
      for (const s of sockets) s.destroy();
    }
  });
});
