/**
 * Checks an exported evidence package offline (GET /api/incidents/:id/evidence?export=true&to=…,
 * saved as JSON): every item's SHA-256 and the package's. No network, no gateway needed.
 * Usage: `npm run verify-evidence -- evidence-inc_….json`. Exit 0: intact; 1: altered; 2: unreadable.
 */
import { readFileSync } from 'node:fs';
import { verifyEvidence } from '../gateway/src/alerting/evidence.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: verify-evidence <package.json>');
  process.exit(2);
}
let pkg: Parameters<typeof verifyEvidence>[0];
try {
  pkg = JSON.parse(readFileSync(file, 'utf8')) as typeof pkg;
} catch (err) {
  console.error(`${file}: cannot read the package: ${(err as Error).message}`);
  process.exit(2);
}
const problems = verifyEvidence(pkg);
if (problems.length) {
  for (const p of problems) console.error(`${file}: ${p}`);
  console.error(`${file}: ALTERED — do not rely on this copy (证据包已被改动)`);
  process.exit(1);
}
console.log(`${file}: intact (证据包完整), ${pkg.items!.length} items, package sha256 ${pkg.hash!.value}`);
