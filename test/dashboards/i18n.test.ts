/**
 * The catalogues: English covers every zh-CN key with the same placeholders, and the dashboards'
 * own typecheck (tsconfig with DOM types, not part of the root tsc) passes.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALERT_KINDS, SEVERITIES } from '../../gateway/src/contracts/alerts.ts';
import { en } from '../../dashboards/src/i18n/en.ts';
import { zhCN } from '../../dashboards/src/i18n/zh-CN.ts';
import { INCIDENT_STATES } from '../../gateway/src/contracts/incidents.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('i18n catalogues', () => {
  it('have the same keys and the same placeholders in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [key, zh] of Object.entries(zhCN))
      expect(placeholders(en[key as keyof typeof en]), key).toEqual(placeholders(zh));
  });

  it('name every alert kind, severity and incident state of the contract', () => {
    for (const k of ALERT_KINDS) expect(zhCN, k).toHaveProperty(`kind.${k}`);
    for (const s of SEVERITIES) expect(zhCN).toHaveProperty(`severity.${s}`);
    for (const s of INCIDENT_STATES) expect(zhCN).toHaveProperty(`state.${s}`);
  });

  it('the dashboards typecheck (tsc -p dashboards)', () => {
    execFileSync(
      process.execPath,
      [`${ROOT}node_modules/typescript/bin/tsc`, '-p', 'dashboards/tsconfig.json'],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
  }, 60_000);
});
