/**
 * The simulator's MQTT secret: the one the gateway generated into `<dataDir>/credentials.json`
 * (site `mqtt.generatedSecrets`, README "Credentials") when that file is there. Read as plain JSON
 * so that simulators stay independent of the gateway's code.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function generatedAccountSecret(
  username: string,
  dataDir = process.env.WEIGE_DATA_DIR ?? './data',
): string | undefined {
  const file = path.join(dataDir, 'credentials.json');
  if (!existsSync(file)) return undefined;
  const secrets = JSON.parse(readFileSync(file, 'utf8')) as { accounts?: Record<string, string> };
  return secrets.accounts?.[username];
}
