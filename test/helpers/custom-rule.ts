/** A site rule with an alert kind of its own (`gas_leak`), in a rules folder of its own, next to the shipped packs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const GAS_LEAK_RULE = `version: 1
id: gas-leak
kind: gas_leak
severity: major
match: { source: reading, deviceKind: [smoke_sensor] }
when: { fact: 'latest(co_ppm)', op: gte, value: 200 }
texts:
  zh-CN: { title: 燃气泄漏, message: 'CO {value}' }
  en: { title: Gas leak, message: 'CO {value}' }
`;

/** `<dir>/rules` holding the gas-leak rule, for the `rulesDir` setting. */
export function customRulesDir(dir: string): string {
  const rulesDir = path.join(dir, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  writeFileSync(path.join(rulesDir, 'gas-leak.yaml'), GAS_LEAK_RULE);
  return rulesDir;
}
