/**
 * A full disk under QoS 1 load (issue 14): the data dir sits on a real 6 MiB tmpfs. Several
 * meters publish until the store cannot take more. No PUBACK may go out for anything not stored;
 * /healthz and /metrics say why; and once space returns, ingest resumes by itself (no restart)
 * and every message the devices resent is stored once.
 */
// clock-sweep: skip — fills a file system under load; the test clock only stamps readings, and repeats add minutes, not coverage.
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { testNow } from '../../helpers/clock.ts';
import {
  DEMO_DEVICE_PASSWORD,
  eventually,
  startTestGateway,
  type TestGateway,
} from '../../helpers/gateway.ts';
import { scrapeMetrics } from '../../helpers/metrics.ts';
import { canMountSmallFs, MIB, mountSmallFs, type SmallFs } from '../../helpers/small-fs.ts';

/** Meters on the canonical codec (building 3). */
const METERS = ['wm-B3-1-101', 'wm-B3-1-102', 'wm-B3-1-201', 'wm-B3-1-202', 'wm-B3-1-301', 'wm-B3-1-302'];
/** Messages per meter per round, all in flight at once. */
const ROUND = 150;

interface Health {
  status: string;
  problems: Array<{ component: string; reason: string; detail: string | null }>;
  store: { writable: boolean; freeBytes: number | null };
}

/** Meters that publish QoS 1 readings and remember what was sent and what was acknowledged. */
class Fleet {
  readonly sent = new Set<string>();
  readonly acked = new Set<string>();
  private readonly clients: MqttClient[] = [];
  private readonly pending: Promise<void>[] = [];
  private next = 0;
  /** Event time of reading 0: inside the lateness window, minutes apart from there. */
  private readonly base = testNow() - 20 * 86_400_000;

  async connect(mqttUrl: string): Promise<void> {
    for (const id of METERS) {
      // Reconnects quickly: an unacknowledged publish is resent on the next connection.
      const client = await mqtt.connectAsync(mqttUrl, {
        clientId: id,
        username: id,
        password: DEMO_DEVICE_PASSWORD,
        reconnectPeriod: 200,
      });
      client.on('error', () => undefined);
      this.clients.push(client);
    }
  }

  /** Sends one round (ROUND readings per meter); resolves when it is handed to the sockets. */
  sendRound(): void {
    const from = this.next;
    this.next += ROUND;
    for (const [m, client] of this.clients.entries())
      for (let i = from; i < this.next; i++) {
        const id = METERS[m]!;
        const ts = this.base + i * 60_000;
        const key = `${id}@${ts}`;
        this.sent.add(key);
        this.pending.push(
          client
            .publishAsync(`weige/${id}/telemetry`, JSON.stringify({ ts, total_m3: 10 + i / 1000 }), {
              qos: 1,
            })
            .then(() => void this.acked.add(key)),
        );
      }
  }

  settled(): Promise<unknown> {
    return Promise.all(this.pending);
  }

  async end(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
  }
}

async function health(gw: TestGateway): Promise<Health> {
  return (await (await fetch(`${gw.http}/healthz`)).json()) as Health;
}

/** Every reading in the store, as `device@ts`, read back over the API. */
async function stored(gw: TestGateway): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const id of METERS) {
    const res = await gw.api<Array<{ ts: string }>>('GET', `/api/devices/${id}/readings?limit=10000`, {
      user: 'engineer',
    });
    expect(res.status).toBe(200);
    for (const r of res.body) keys.add(`${id}@${Date.parse(r.ts)}`);
  }
  return keys;
}

/**
 * Sends a round while the store refuses it. Each refusal closes the connection, so every meter is
 * refused again on each reconnect; none of the round is acknowledged.
 */
async function sendRefusedRound(gw: TestGateway, fleet: Fleet): Promise<void> {
  const refusals = async (): Promise<number> =>
    (await scrapeMetrics(gw.http)).sum('weige_messages_refused_total', { reason: 'store_unavailable' });
  const acked = fleet.acked.size;
  const before = await refusals();
  fleet.sendRound();
  await eventually(async () => (await refusals()) >= before + 3 * METERS.length, 20_000);
  expect(fleet.acked.size).toBe(acked);
}

const mountable = canMountSmallFs();

describe.skipIf(!mountable)('a full disk under QoS 1 load', () => {
  let smallFs: SmallFs | null = null;
  let gw: TestGateway | null = null;
  let fleet: Fleet | null = null;
  afterEach(async () => {
    await fleet?.end();
    await gw?.stop({ keepData: true });
    smallFs?.unmount();
    fleet = gw = smallFs = null;
  });

  it('acknowledges exactly what SQLite stored when the disk fills, and resumes by itself', async () => {
    // 12 MiB: SQLite's write-ahead log alone takes up to 4 MiB before its first checkpoint.
    smallFs = mountSmallFs(12);
    // No watermark: this run proves the SQLITE_FULL path itself. Limits high: one fast fleet.
    gw = await startTestGateway({
      dataDir: path.join(smallFs.dir, 'data'),
      minFreeMb: 0,
      deviceMaxMsgsPerS: 1_000_000,
    });
    smallFs.fill('ballast', 4 * MIB); // space an operator frees later
    await gw.login('engineer'); // a login writes too: log in while there is room
    fleet = new Fleet();
    await fleet.connect(gw.mqttUrl);

    // Round after round until the store refuses: each round either is fully acknowledged or
    // runs into the full disk.
    for (let round = 0; (await health(gw)).store.writable; round++) {
      expect(round).toBeLessThan(400);
      const before = fleet.acked.size;
      fleet.sendRound();
      await eventually(
        async () =>
          fleet!.acked.size === before + ROUND * METERS.length || !(await health(gw!)).store.writable,
        20_000,
      );
    }
    const degraded = await health(gw);
    expect(degraded.status).toBe('degraded');
    expect(degraded.problems).toEqual([expect.objectContaining({ component: 'store', reason: 'disk_full' })]);
    let metrics = await scrapeMetrics(gw.http);
    expect(metrics.sum('weige_store_writable')).toBe(0);
    expect(metrics.sum('weige_store_problem', { problem: 'disk_full' })).toBe(1);
    expect(metrics.sum('weige_store_failures_total', { problem: 'disk_full' })).toBeGreaterThan(0);

    // While full: a further round is refused, never acknowledged.
    const ackedWhileFull = fleet.acked.size;
    await sendRefusedRound(gw, fleet);
    // Everything acknowledged so far is stored (some stored messages may still wait for their
    // PUBACK: their connection was closed by a failing burst, and the resend is a duplicate).
    const storedWhileFull = await stored(gw);
    expect([...fleet.acked].filter((k) => !storedWhileFull.has(k))).toEqual([]);

    // Space returns: no restart, the store probes itself writable and the devices' resends land.
    smallFs.remove('ballast');
    await eventually(async () => (await health(gw!)).status === 'ok', 20_000);
    await eventually(() => fleet!.acked.size === fleet!.sent.size, 60_000, 100);
    await fleet.settled();

    const final = await stored(gw);
    expect(fleet.acked.size).toBe(fleet.sent.size);
    expect(final.size).toBe(fleet.acked.size);
    expect([...fleet.acked].filter((k) => !final.has(k))).toEqual([]);
    metrics = await scrapeMetrics(gw.http);
    expect(metrics.sum('weige_readings_stored_total')).toBe(final.size);
    expect(metrics.sum('weige_store_writable')).toBe(1);
    console.info(
      `disk full: ${ackedWhileFull} acknowledged and ${storedWhileFull.size} stored when full; ` +
        `after space returned ${fleet.sent.size} sent, ${fleet.acked.size} acknowledged, ${final.size} stored; ` +
        `${metrics.sum('weige_messages_refused_total', { reason: 'store_unavailable' })} refusals`,
    );
  }, 120_000);

  it('refuses new data at the free-space watermark, before SQLite fails', async () => {
    // Room for SQLite's write-ahead log (up to 4 MiB before a checkpoint) above the watermark.
    smallFs = mountSmallFs(16);
    gw = await startTestGateway({ dataDir: path.join(smallFs.dir, 'data'), minFreeMb: 2 });
    fleet = new Fleet();
    await fleet.connect(gw.mqttUrl);
    fleet.sendRound();
    await eventually(() => fleet!.acked.size === fleet!.sent.size, 20_000);

    // Leave 1 MiB: under the 2 MiB watermark, still room for SQLite.
    smallFs.fill('ballast', smallFs.freeBytes() - MIB);
    await eventually(async () => (await health(gw!)).store.writable === false, 10_000);
    const h = await health(gw);
    expect(h.status).toBe('degraded');
    expect(h.problems).toEqual([expect.objectContaining({ component: 'store', reason: 'low_disk_space' })]);

    await sendRefusedRound(gw, fleet);
    expect((await scrapeMetrics(gw.http)).sum('weige_store_failures_total')).toBe(0);

    smallFs.remove('ballast');
    await eventually(() => fleet!.acked.size === fleet!.sent.size, 30_000, 100);
    await fleet.settled();
    const final = await stored(gw);
    expect(final.size).toBe(fleet.sent.size);
    expect((await health(gw)).status).toBe('ok');
    expect((await scrapeMetrics(gw.http)).sum('weige_store_failures_total')).toBe(0);
  }, 90_000);
});
