/** Starts a real Mosquitto (Debian package) on a free loopback port with a temp config. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBinary } from './binaries.ts';
import { freePort, waitForPort } from './ports.ts';

export interface MosquittoInstance {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startMosquitto(): Promise<MosquittoInstance> {
  const bin = findBinary('mosquitto');
  if (!bin) throw new Error('mosquitto is not installed (scripts/install-test-deps.sh installs it)');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForPort(port, 10_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`mosquitto did not start: ${(err as Error).message}\n${stderr}`);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
