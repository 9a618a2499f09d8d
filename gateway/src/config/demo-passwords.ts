/**
 * Which accounts still accept the example site's published demo passwords (README). `npm start`
 * checks this after start-up and warns loudly while any does (issue 14): anyone who has read the
 * README could log in as them.
 */
import type { Site } from '../contracts/site.ts';
import { matches } from '../core/passwords.ts';

export const DEMO_PASSWORDS = {
  staff: 'weige-demo',
  device: 'weige-device',
  service: 'weige-service',
} as const;

export interface DemoPasswordUse {
  staff: string[];
  /** Device ids, or 'default' when the site's default device password is the demo one. */
  devices: string[];
  accounts: string[];
}

/** Checks one hash at a time (scrypt on the libuv pool, ~50 ms each), outside the login path. */
export async function findDemoPasswords(site: Site): Promise<DemoPasswordUse> {
  const uses = async (password: string, hash: string | undefined): Promise<boolean> =>
    hash !== undefined && (await matches(password, hash));
  const use: DemoPasswordUse = { staff: [], devices: [], accounts: [] };
  for (const s of site.staff)
    if (await uses(DEMO_PASSWORDS.staff, s.passwordHash)) use.staff.push(s.username);
  if (await uses(DEMO_PASSWORDS.device, site.mqtt?.devicePasswordHash)) use.devices.push('default');
  for (const d of site.devices)
    if (d.mqttPasswordHash && (await uses(DEMO_PASSWORDS.device, d.mqttPasswordHash))) use.devices.push(d.id);
  for (const a of site.mqtt?.accounts ?? [])
    if (await uses(DEMO_PASSWORDS.service, a.passwordHash)) use.accounts.push(a.username);
  return use;
}

/** One line for the log, or null when no demo password is in use. */
export function describeDemoPasswordUse(use: DemoPasswordUse): string | null {
  const parts: string[] = [];
  if (use.staff.length)
    parts.push(
      `${use.staff.length} staff accounts accept '${DEMO_PASSWORDS.staff}' (${use.staff.slice(0, 5).join(', ')}${use.staff.length > 5 ? ', …' : ''})`,
    );
  if (use.devices.length)
    parts.push(
      use.devices.includes('default')
        ? `every device without its own hash accepts '${DEMO_PASSWORDS.device}'`
        : `${use.devices.length} devices accept '${DEMO_PASSWORDS.device}'`,
    );
  if (use.accounts.length)
    parts.push(`MQTT accounts ${use.accounts.join(', ')} accept '${DEMO_PASSWORDS.service}'`);
  if (!parts.length) return null;
  return (
    `DEMO PASSWORDS IN USE: ${parts.join('; ')}. Anyone who has read the README can log in. ` +
    'Give every account and device its own secret before real use (README, "Credentials": npm run credentials).'
  );
}
