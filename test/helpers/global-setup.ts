/** Checks once, before any test, that the real services the suite needs are installed. */
import { findBinary } from './binaries.ts';
import { findPostgresBin } from './postgres.ts';

export default function setup(): void {
  const missing = ['mosquitto', 'influxd'].filter((b) => !findBinary(b));
  if (!findPostgresBin()) missing.push('postgresql');
  if (missing.length)
    throw new Error(
      `missing test services: ${missing.join(', ')} — run scripts/install-test-deps.sh (npm test does)`,
    );
}
