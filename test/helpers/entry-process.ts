/**
 * Runs one of the project's entry points (`node --import tsx <entry>`) as a child process and
 * waits until its `/healthz` answers. node with the tsx loader, not the tsx CLI: the CLI runs
 * the program in a grandchild that a SIGKILL of the CLI would leave running. The child's Date
 * runs on this process's test clock, steady across steps of the system clock (steady-date.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../gateway/src/config/settings.ts';
import { testNow } from './clock.ts';

const STEADY_DATE = path.join(REPO_ROOT, 'test/helpers/steady-date.mjs');

export interface EntryProcess {
  child: ChildProcess;
  /** Everything the process has logged so far (pino JSON lines on stdout). */
  logs(): string;
  /** SIGKILL: no shutdown code runs. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function spawnEntry(
  entry: string,
  env: Record<string, string>,
  healthUrl: string,
  name: string,
): Promise<EntryProcess> {
  const clockAt = {
    WEIGE_TEST_CLOCK_AT_MS: String(testNow()),
    WEIGE_TEST_CLOCK_AT_NS: String(process.hrtime.bigint()),
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', STEADY_DATE, path.join(REPO_ROOT, entry)],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...clockAt, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  // Read always: a full pipe would block the child. Kept whole up to 1 MB (logs are at warn).
  child.stdout?.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-1_000_000)));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(healthUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const waitExit = (signal: NodeJS.Signals): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return { child, logs: () => stdout, kill: () => waitExit('SIGKILL'), stop: () => waitExit('SIGTERM') };
}
