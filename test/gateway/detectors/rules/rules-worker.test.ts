/**
 * The rules worker (a thread of its own, live): it evaluates in another thread than the gateway's,
 * a worker that dies is started again from its saved cursor and goes on raising detections, and
 * one that keeps dying is given up with a clear error instead of leaving the rules silently off.
 */
import { isMainThread, threadId, type Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { Detection } from '../../../../gateway/src/contracts/alerts.ts';
import { ManualClock } from '../../../../gateway/src/core/clock.ts';
import { RulesModule } from '../../../../gateway/src/detectors/rules/module.ts';
import { InProcessHost } from '../../../../gateway/src/detectors/rules/rule-host.ts';
import { WorkerHost } from '../../../../gateway/src/detectors/rules/worker-host.ts';
import { EXAMPLE_SITE_FILE, loadSiteFile } from '../../../../gateway/src/site/site-loader.ts';
import { openDatabase } from '../../../../gateway/src/store/database.ts';
import { DeviceStore } from '../../../../gateway/src/store/device-store.ts';
import { testNow } from '../../../helpers/clock.ts';
import { eventually, makeDataDir, startTestGateway, type TestGateway } from '../../../helpers/gateway.ts';

async function rulesGateway(): Promise<{ gw: TestGateway; rules: RulesModule; seen: Detection[] }> {
  const rules = new RulesModule({ placement: 'worker', watch: false });
  const gw = await startTestGateway({}, { modules: [() => rules] });
  const seen: Detection[] = [];
  gw.gateway.ctx.bus.on('detectionRaised', (d) => seen.push(d));
  return { gw, rules, seen };
}

/** A smoke sensor (canonical codec) reporting a low battery: the `low-battery` rule fires on it. */
async function lowBattery(gw: TestGateway, deviceId: string): Promise<void> {
  const sensor = await gw.connect(deviceId);
  await sensor.publishAsync(
    `weige/${deviceId}/telemetry`,
    JSON.stringify({ ts: testNow(), smoke_db_m: 0.01, battery_pct: 12 }),
    { qos: 1 },
  );
}

function threadOf(rules: RulesModule): Worker | null {
  const host = rules.host;
  if (!(host instanceof WorkerHost)) throw new Error('the rules are not in a worker');
  return host.thread;
}

/** Ends the running worker thread and resolves with the one started in its place. */
async function killWorker(rules: RulesModule): Promise<Worker> {
  const dying = threadOf(rules)!;
  await dying.terminate();
  return eventually(() => {
    const next = threadOf(rules);
    return next && next !== dying ? next : null;
  });
}

describe('the rules worker', () => {
  it('runs the rules live, and a gateway on a ManualClock (replays) keeps them in its thread', async () => {
    const live = new RulesModule({ watch: false });
    const replay = new RulesModule({ watch: false });
    const gw = await startTestGateway({}, { modules: [() => live] });
    const driven = await startTestGateway({}, { clock: new ManualClock(testNow()), modules: [() => replay] });
    expect(live.host).toBeInstanceOf(WorkerHost);
    expect(replay.host).toBeInstanceOf(InProcessHost);
    await Promise.all([gw.stop(), driven.stop()]);
  });

  it('knows the devices registered before the gateway started (it reads them from the store)', async () => {
    const dataDir = makeDataDir();
    const site = loadSiteFile(EXAMPLE_SITE_FILE);
    const db = openDatabase(dataDir);
    const template = site.devices.find((d) => d.id === 'smoke-shed-1')!;
    new DeviceStore(db).register(site.id, { ...template, id: 'smoke-registered-1' });
    db.close();
    const rules = new RulesModule({ placement: 'worker', watch: false });
    const gw = await startTestGateway({ dataDir }, { modules: [() => rules] });
    const seen: Detection[] = [];
    gw.gateway.ctx.bus.on('detectionRaised', (d) => seen.push(d));
    await lowBattery(gw, 'smoke-registered-1');
    await gw.gateway.settle();
    expect(seen.map((d) => d.dedupeKey)).toEqual(['low_battery:smoke-registered-1']);
    await gw.stop();
  });

  it('evaluates in a thread of its own and is started again when it dies', async () => {
    const { gw, rules, seen } = await rulesGateway();
    const first = threadOf(rules)!;
    expect(isMainThread).toBe(true);
    expect(first.threadId).not.toBe(threadId);
    await lowBattery(gw, 'smoke-shed-1');
    await gw.gateway.settle();
    expect(seen.filter((d) => d.source.rule === 'low-battery').map((d) => d.dedupeKey)).toEqual([
      'low_battery:smoke-shed-1',
    ]);

    const second = await killWorker(rules);
    expect(second.threadId).not.toBe(first.threadId);
    // The new thread resumes from the saved cursor and goes on evaluating what ingest commits.
    await lowBattery(gw, 'smoke-shed-2');
    await gw.gateway.settle();
    expect(seen.map((d) => d.dedupeKey)).toContain('low_battery:smoke-shed-2');
    const list = await gw.api<{ rules: Array<{ id: string; firing: number }> }>('GET', '/api/rules', {
      user: 'engineer',
    });
    expect(list.body.rules.find((r) => r.id === 'low-battery')?.firing).toBeGreaterThanOrEqual(1);
    await gw.stop();
  });

  it('is given up with a clear error when it dies again and again', async () => {
    const { gw, rules } = await rulesGateway();
    for (let i = 0; i < 3; i++) await killWorker(rules);
    await threadOf(rules)!.terminate();
    await expect(gw.gateway.settle()).rejects.toThrow(
      /rules stopped: the rules worker died 4 times within 60 s \(last: rules worker exited \(code \d+\)\)/,
    );
    await gw.stop();
  });
});
