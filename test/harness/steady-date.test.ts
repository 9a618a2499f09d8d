/**
 * The test processes' Date (test/helpers/steady-date.mjs) ignores a step of the system clock. A CI
 * host's clock jumped during a run and vitest, which checks timeouts on Date.now(), failed a 10 s
 * test as "timed out in 30000ms". Here Debian's libfaketime steps the clock of a child process by
 * one hour while it waits 1.5 s; the same child without the preload is the control.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../gateway/src/config/settings.ts';
import { requireLibfaketime } from '../helpers/binaries.ts';

const STEADY_DATE = path.join(REPO_ROOT, 'test/helpers/steady-date.mjs');
const HOUR_MS = 3_600_000;

/** Runs a child that reads Date twice, 1.5 s apart, while the system clock steps forward an hour. */
async function dateAcrossStep(
  nodeArgs: string[],
  env: Record<string, string> = {},
): Promise<{ first: number; elapsedMs: number; called: string }> {
  const stepFile = path.join(mkdtempSync(path.join(tmpdir(), 'weige-step-')), 'faketime');
  writeFileSync(stepFile, '+0\n');
  const script =
    'const t0 = Date.now(); console.log("ready");' +
    'setTimeout(() => console.log(JSON.stringify({ first: t0, elapsedMs: Date.now() - t0, called: Date() })), 1500);';
  const child = spawn(process.execPath, [...nodeArgs, '-e', script], {
    env: {
      ...process.env,
      ...env,
      LD_PRELOAD: requireLibfaketime(),
      FAKETIME_TIMESTAMP_FILE: stepFile,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n') && !out.includes('stepped')) {
      out += 'stepped\n';
      writeFileSync(stepFile, '+1h\n');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('steady Date in test processes', () => {
  it('does not move when the system clock steps an hour', async () => {
    const control = await dateAcrossStep([]);
    expect(control.elapsedMs).toBeGreaterThan(HOUR_MS);

    const steady = await dateAcrossStep(['--import', STEADY_DATE]);
    expect(steady.elapsedMs).toBeGreaterThanOrEqual(1500);
    expect(steady.elapsedMs).toBeLessThan(1500 + 5_000);
  });

  it("starts a spawned process on its parent's test clock and answers Date() as text", async () => {
    const at = Date.parse('2027-01-01T00:30:00+08:00');
    const child = await dateAcrossStep(['--import', STEADY_DATE], {
      WEIGE_TEST_CLOCK_AT_MS: String(at),
      WEIGE_TEST_CLOCK_AT_NS: String(process.hrtime.bigint()),
    });
    expect(child.first).toBeGreaterThanOrEqual(at);
    expect(child.first).toBeLessThan(at + 10_000);
    expect(Math.abs(Date.parse(child.called) - child.first)).toBeLessThan(10_000);
    expect(child.elapsedMs).toBeLessThan(1500 + 5_000);
  });
});
