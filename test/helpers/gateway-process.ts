/** Runs the real gateway entry point (`tsx gateway/src/main.ts`) as a child process on free ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../gateway/src/config/settings.ts';
import { freePort } from './ports.ts';
import { testNow } from './clock.ts';

const TEST_TIME_PRELOAD = path.join(REPO_ROOT, 'test/helpers/test-time-preload.ts');

export interface GatewayProcess {
  child: ChildProcess;
  http: string;
  mqttUrl: string;
  /** Everything the gateway has logged so far (pino JSON lines on stdout). */
  logs(): string;
  /** SIGKILL: no shutdown code runs. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  // node with the tsx loader, not the tsx CLI: the CLI runs the program in a grandchild that
  // a SIGKILL of the CLI would leave running.
  // The child's Date runs on this process's test clock (same machine clock, so one offset holds).
  const clockOffsetMs = testNow() - Date.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', TEST_TIME_PRELOAD, path.join(REPO_ROOT, 'gateway/src/main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        WEIGE_HTTP_PORT: String(httpPort),
        WEIGE_MQTT_PORT: String(mqttPort),
        WEIGE_HTTP_HOST: '127.0.0.1',
        WEIGE_MQTT_HOST: '127.0.0.1',
        WEIGE_LOG_LEVEL: 'warn',
        WEIGE_TEST_CLOCK_OFFSET_MS: String(clockOffsetMs),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  // Read always: a full pipe would block the gateway. Kept whole up to 1 MB (logs are at warn).
  child.stdout?.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-1_000_000)));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const http = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`${http}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`gateway did not become healthy: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const waitExit = (signal: NodeJS.Signals): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return {
    child,
    http,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    logs: () => stdout,
    kill: () => waitExit('SIGKILL'),
    stop: () => waitExit('SIGTERM'),
  };
}
