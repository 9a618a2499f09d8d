/**
 * `npm run credentials -- <command>`: per-device and per-account credentials (README, "Credentials").
 *
 *   show <name> [--data-dir d]     the generated secret of a device or MQTT account (credentials.json)
 *   rotate <name> [--data-dir d]   replace that generated secret; restart the gateway to apply it
 *   set <name> --site <file>       a new random secret for a device, MQTT account or staff member,
 *                                  its scrypt hash (own salt) written into the site file; the secret
 *                                  is printed once. Restart the gateway to apply it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
import {
  newSecret,
  readSecrets,
  secretsPath,
  writeSecrets,
} from '../gateway/src/config/generated-secrets.ts';
import { parseSite } from '../gateway/src/site/site-loader.ts';
import { hashPassword } from '../gateway/src/core/passwords.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'data-dir': { type: 'string' }, site: { type: 'string' } },
});
const [command, name] = positionals;
const dataDir = values['data-dir'] ?? process.env.WEIGE_DATA_DIR ?? './data';

function fail(message: string): never {
  console.error(`credentials: ${message}`);
  process.exit(2);
}

if (!command || !name)
  fail('usage: npm run credentials -- show|rotate <name> [--data-dir d] | set <name> --site <file>');

if (command === 'show' || command === 'rotate') {
  const secrets = readSecrets(dataDir);
  if (!secrets)
    fail(`no ${secretsPath(dataDir)}: start the gateway once with a site that sets mqtt.generatedSecrets`);
  const section =
    name in secrets.devices ? secrets.devices : name in secrets.accounts ? secrets.accounts : null;
  if (!section) fail(`no generated secret for '${name}' in ${secretsPath(dataDir)}`);
  if (command === 'rotate') {
    section[name] = newSecret();
    writeSecrets(dataDir, secrets);
    console.error(
      `rotated '${name}' in ${secretsPath(dataDir)}; restart the gateway, then give the device its new secret`,
    );
  }
  console.log(section[name]);
} else if (command === 'set') {
  const file = values.site ?? fail('set needs --site <file>');
  const text = readFileSync(file, 'utf8');
  const site = parseSite(text, file);
  const doc = parseDocument(text);
  const secret = newSecret();
  const hash = await hashPassword(secret);
  const device = site.devices.findIndex((d) => d.id === name);
  const account = site.mqtt.accounts.findIndex((a) => a.username === name);
  const staff = site.staff.findIndex((s) => s.username === name);
  if (device >= 0) doc.setIn(['devices', device, 'mqttPasswordHash'], hash);
  else if (account >= 0) doc.setIn(['mqtt', 'accounts', account, 'passwordHash'], hash);
  else if (staff >= 0) doc.setIn(['staff', staff, 'passwordHash'], hash);
  else fail(`no device, MQTT account or staff member '${name}' in ${file}`);
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
  console.error(`wrote a new hash for '${name}' into ${file}; restart the gateway. The secret (shown once):`);
  console.log(secret);
} else {
  fail(`unknown command '${command}'`);
}
