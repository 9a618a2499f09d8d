/**
 * `npm start`: runs the gateway on WEIGE_* settings (embedded defaults with nothing set) until
 * SIGINT/SIGTERM, then stops every part in reverse order.
 */
import { Gateway } from './gateway.ts';
import { WeigeError } from './core/errors.ts';
import { DEMO_PASSWORDS, describeDemoPasswordUse, findDemoPasswords } from './config/demo-passwords.ts';

async function main(): Promise<void> {
  let gateway: Gateway;
  try {
    gateway = await Gateway.open();
  } catch (err) {
    // Bad settings or site file: say exactly what is wrong and exit without a stack trace.
    if (err instanceof WeigeError) {
      console.error(`weige: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = gateway.ctx.log;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    await gateway.start();
  } catch (err) {
    log.fatal({ err }, 'gateway failed to start');
    process.exit(1);
  }
  // People starting it need the address first.
  const url = `http://localhost:${gateway.httpPort}`;
  log.info({ url }, `open ${url}/ — console ${url}/console.html, phone page ${url}/worker.html`);
  // In the background: ~50 ms of scrypt per hash, and devices are already being served.
  findDemoPasswords(gateway.ctx.site.site).then(
    (use) => {
      const warning = describeDemoPasswordUse(use);
      if (warning) log.warn({ ns: 'weige:credentials', demoPasswords: use }, warning);
      if (use.staff.length)
        log.info(
          { ns: 'weige:credentials' },
          `demo login at ${url}/: ${['property', 'mg3-responder-a', 'mg3-care-a', 'engineer'].filter((u) => use.staff.includes(u)).join(', ') || use.staff.slice(0, 3).join(', ')} with password '${DEMO_PASSWORDS.staff}' (README: Demo accounts)`,
        );
      else log.info({ ns: 'weige:credentials' }, 'no demo passwords in use');
    },
    (err: unknown) => log.error({ err }, 'could not check for demo passwords'),
  );
}

void main();
