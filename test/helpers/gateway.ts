/**
 * Starts a real gateway in-process on free ports with a temp data dir: embedded aedes over TCP,
 * fastify over real HTTP, SQLite on disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { Gateway, type GatewayOptions } from '../../gateway/src/gateway.ts';
import type { Settings } from '../../gateway/src/config/settings.ts';
import { createRootLogger } from '../../gateway/src/core/logger.ts';
import { testClock } from './clock.ts';

export const DEMO_STAFF_PASSWORD = 'weige-demo';
export const DEMO_DEVICE_PASSWORD = 'weige-device';
export const DEMO_SERVICE_PASSWORD = 'weige-service';

export interface TestGateway {
  gateway: Gateway;
  dataDir: string;
  http: string;
  mqttUrl: string;
  /** Logs in a demo user; returns the bearer header. */
  login(username: string): Promise<Record<string, string>>;
  /** Drops the cached tokens: after a test moves a manual clock past their lifetime. */
  forgetLogins(): void;
  api<T = unknown>(
    method: string,
    path: string,
    options?: { user?: string; body?: unknown },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** An MQTT client connected as a device (username = device id) or a service account. */
  connect(username: string, password?: string): Promise<MqttClient>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export function makeDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'weige-test-'));
}

export async function startTestGateway(
  settings: Partial<Settings> = {},
  options: Omit<GatewayOptions, 'settings' | 'env'> = {},
): Promise<TestGateway> {
  const dataDir = settings.dataDir ?? makeDataDir();
  const gateway = await Gateway.open({
    env: {},
    settings: {
      httpHost: '127.0.0.1',
      httpPort: 0,
      mqttHost: '127.0.0.1',
      mqttPort: 0,
      dataDir,
      ...settings,
    },
    logger:
      options.logger ?? createRootLogger((process.env.WEIGE_TEST_LOG as Settings['logLevel']) ?? 'silent'),
    clock: testClock,
    ...options,
  });
  await gateway.start();
  const http = `http://127.0.0.1:${gateway.httpPort}`;
  const mqttUrl = settings.mqttUrl ?? `mqtt://127.0.0.1:${gateway.mqttPort}`;
  const tokens = new Map<string, string>();
  const clients: MqttClient[] = [];

  const login = async (username: string): Promise<Record<string, string>> => {
    let token = tokens.get(username);
    if (!token) {
      const res = await fetch(`${http}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: DEMO_STAFF_PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
      token = ((await res.json()) as { token: string }).token;
      tokens.set(username, token);
    }
    return { authorization: `Bearer ${token}` };
  };

  return {
    gateway,
    dataDir,
    http,
    mqttUrl,
    login,
    forgetLogins: () => tokens.clear(),
    async api(method, p, { user, body } = {}) {
      const headers: Record<string, string> = user ? await login(user) : {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${http}${p}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as never, headers: res.headers };
    },
    async connect(username, password) {
      const isService = ['simulator', 'node-red', 'dashboard'].includes(username);
      const client = await mqtt.connectAsync(
        mqttUrl,
        {
          username,
          password: password ?? (isService ? DEMO_SERVICE_PASSWORD : DEMO_DEVICE_PASSWORD),
          // A device must use its own id as client id (the broker refuses any other).
          ...(isService ? {} : { clientId: username }),
          reconnectPeriod: 0,
        },
        // A connection closed before its CONNACK fails the connect instead of waiting forever.
        false,
      );
      clients.push(client);
      return client;
    },
    async stop({ keepData = false } = {}) {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await gateway.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 5000,
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
