/** `npm run hash-password -- <password>`: prints a scrypt hash for a site file (staff or MQTT). */
import { hashPassword } from '../gateway/src/core/passwords.ts';

const password = process.argv[2];
if (!password) {
  console.error('usage: npm run hash-password -- <password>');
  process.exit(2);
}
console.log(await hashPassword(password));
