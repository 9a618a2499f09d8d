/**
 * Starts a real InfluxDB 1.6 (Debian package `influxdb`) on free loopback ports with a temp data
 * dir, and can stop and restart it on the same ports and data (for outage tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBinary } from './binaries.ts';
import { freePort, waitForPort } from './ports.ts';

export interface InfluxInstance {
  url: string;
  port: number;
  /** Runs an InfluxQL query against the HTTP API; returns the JSON result. */
  query(db: string, q: string): Promise<InfluxQueryResult>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface InfluxQueryResult {
  results: Array<{
    series?: Array<{ name: string; columns: string[]; values: unknown[][] }>;
    error?: string;
  }>;
}

export async function startInfluxDb(): Promise<InfluxInstance> {
  const bin = findBinary('influxd');
  if (!bin)
    throw new Error('influxd is not installed (scripts/install-test-deps.sh installs the influxdb package)');
  const [port, rpcPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-influx-'));
  const conf = path.join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[ifql]
  enabled = false
[continuous_queries]
  enabled = false
`,
  );
  let child: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    const proc = spawn(bin, ['-config', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child = proc;
    try {
      await waitForPort(port, 20_000);
      // The port opens a moment before the HTTP service answers.
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/ping`).then(
          (r) => r.status === 204,
          () => false,
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no answer on /ping');
    } catch (err) {
      proc.kill('SIGKILL');
      throw new Error(`influxd did not start: ${(err as Error).message}\n${stderr}`);
    }
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
    child = null;
  };
  await launch();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async query(db, q) {
      const res = await fetch(
        `http://127.0.0.1:${port}/query?db=${encodeURIComponent(db)}&q=${encodeURIComponent(q)}`,
      );
      return (await res.json()) as InfluxQueryResult;
    },
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
