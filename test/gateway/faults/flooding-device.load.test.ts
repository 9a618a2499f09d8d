/**
 * A flooding device (issue 14): one meter publishes QoS 1 and QoS 0 as fast as it can while
 * thirty normal meters report at a steady pace. With the default per-device limits the flooder
 * is held back to its rate (counted, and noted in the dead letters once a minute), the normal
 * meters lose nothing, and their PUBACK p99 stays within 2× of the p99 measured without the
 * flood in the same run (idle and flood phases alternate, so that a change in load hits both).
 */
// clock-sweep: skip — a load measurement; the test clock only stamps readings, and repeats add noise, not coverage.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../gateway/src/config/settings.ts';
import { BURST_S } from '../../../gateway/src/ingest/device-limits.ts';
import { testNow } from '../../helpers/clock.ts';
import {
  DEMO_DEVICE_PASSWORD,
  eventually,
  startTestGateway,
  type TestGateway,
} from '../../helpers/gateway.ts';
import { scrapeMetrics } from '../../helpers/metrics.ts';

const NORMAL_DEVICES = 30;
/** Each normal meter sends one message, waits for its PUBACK, then pauses: ~10 messages/s. */
const PAUSE_MS = 100;
const PHASE_MS = 4000;
const PHASES = 6;

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

describe('a flooding device', () => {
  let gw: TestGateway;
  let meters: string[];
  let flooderId: string;
  let flooder: Flooder | null = null;
  beforeAll(async () => {
    gw = await startTestGateway();
    const canonical = gw.gateway.ctx.site
      .allDevices()
      .filter((d) => d.kind === 'water_meter' && (d.codec ?? 'canonical') === 'canonical')
      .map((d) => d.id);
    flooderId = canonical[0]!;
    meters = canonical.slice(1, 1 + NORMAL_DEVICES);
  });
  afterAll(async () => {
    flooder?.child.kill();
    await gw?.stop();
  });

  it("is held back and counted, and the other devices' PUBACK p99 stays within 2× of idle", async () => {
    const clients: MqttClient[] = await Promise.all(meters.map((id) => gw.connect(id)));
    const firstTs = testNow() - 30 * 86_400_000;
    const sent = new Map<string, number>(meters.map((id) => [id, 0]));
    const latencies: Record<'warmup' | 'idle' | 'flood', number[]> = { warmup: [], idle: [], flood: [] };

    /** Every normal meter reports at its pace for PHASE_MS; latencies go to `phase`. */
    const runPhase = async (phase: 'warmup' | 'idle' | 'flood'): Promise<void> => {
      const until = performance.now() + PHASE_MS;
      await Promise.all(
        clients.map(async (client, m) => {
          const id = meters[m]!;
          while (performance.now() < until) {
            const i = sent.get(id)!;
            sent.set(id, i + 1);
            const payload = JSON.stringify({ ts: firstTs + i * 60_000, total_m3: 5 + i / 1000 });
            const started = performance.now();
            await client.publishAsync(`weige/${id}/telemetry`, payload, { qos: 1 });
            latencies[phase].push(performance.now() - started);
            await new Promise((r) => setTimeout(r, PAUSE_MS));
          }
        }),
      );
    };

    // Loaded before any measurement: its own start-up is not part of the flood.
    flooder = await startFlooder(gw.mqttUrl, flooderId, String(firstTs));
    await runPhase('warmup'); // first connections, JIT: not part of either figure
    let floodStartedAt = 0;
    try {
      for (let p = 0; p < PHASES; p++) {
        if (p % 2 === 0) {
          await runPhase('idle');
          continue;
        }
        floodStartedAt ||= performance.now();
        const heldBefore = (await scrapeMetrics(gw.http)).sum('weige_messages_held_total');
        await flooder.command('start');
        // The flood is on once the gateway holds the flooder back.
        await eventually(
          async () => (await scrapeMetrics(gw.http)).sum('weige_messages_held_total') > heldBefore,
          20_000,
          50,
        );
        await runPhase('flood');
        await flooder.command('stop');
      }
    } finally {
      flooder.child.kill();
    }

    const idleP99 = p99(latencies.idle);
    const floodP99 = p99(latencies.flood);
    console.info(
      `flood: normal meters' PUBACK p99 idle ${idleP99.toFixed(1)} ms (${latencies.idle.length} samples), ` +
        `under flood ${floodP99.toFixed(1)} ms (${latencies.flood.length} samples), ratio ${(floodP99 / idleP99).toFixed(2)}`,
    );
    expect(latencies.flood.length).toBeGreaterThan(1000);
    expect(floodP99).toBeLessThanOrEqual(2 * idleP99);

    // The flooder was held back and counted; it got its burst and the sustained rate, no more.
    const metrics = await scrapeMetrics(gw.http);
    expect(metrics.sum('weige_messages_held_total', { reason: 'rate_limited' })).toBeGreaterThan(100);
    // Held messages are stored at their turn, so by now at most the burst and the rate since;
    // "now" is when the readings were read (held ones keep being stored while the request runs).
    const flooderStored = await gw.api<unknown[]>('GET', `/api/devices/${flooderId}/readings?limit=100000`, {
      user: 'engineer',
    });
    const floodSpanS = (performance.now() - floodStartedAt) / 1000;
    const { deviceMaxMsgsPerS } = gw.gateway.ctx.settings;
    expect(flooderStored.body.length).toBeLessThanOrEqual(deviceMaxMsgsPerS * (BURST_S + floodSpanS) + 1);
    const letters = await gw.api<{ items: Array<{ deviceId: string; detail: string }> }>(
      'GET',
      '/api/dead-letters?reason=rate_limited',
      { user: 'engineer' },
    );
    expect(letters.body.items.length).toBeGreaterThanOrEqual(1);
    expect(letters.body.items.every((l) => l.deviceId === flooderId)).toBe(true);
    expect(letters.body.items[0]!.detail).toMatch(/messages\/s/);

    // The normal meters lost nothing: every message they sent is stored.
    for (const id of meters) {
      const res = await gw.api<unknown[]>('GET', `/api/devices/${id}/readings?limit=10000`, {
        user: 'engineer',
      });
      expect(res.body.length, id).toBe(sent.get(id));
    }
  }, 120_000);
});

interface Flooder {
  child: ChildProcess;
  command(line: 'start' | 'stop'): Promise<void>;
}

/** The flooder process, once it has loaded; `command` resolves when it has acted. */
async function startFlooder(mqttUrl: string, deviceId: string, firstTs: string): Promise<Flooder> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'test/helpers/flooder.ts'),
      mqttUrl,
      deviceId,
      DEMO_DEVICE_PASSWORD,
      firstTs,
    ],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const nextLine = (): Promise<string> => new Promise((resolve) => lines.once('line', resolve));
  expect(await nextLine()).toBe('ready');
  return {
    child,
    async command(line) {
      child.stdin!.write(`${line}\n`);
      if (line === 'stop') expect(await nextLine()).toBe('stopped');
    },
  };
}
