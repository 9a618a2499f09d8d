/**
 * `npm run hub`: one street hub replica on WEIGE_HUB_* settings until SIGINT/SIGTERM.
 */
import { WeigeError } from '../core/errors.ts';
import { Hub } from './hub.ts';

async function main(): Promise<void> {
  let hub: Hub;
  try {
    hub = new Hub();
  } catch (err) {
    if (err instanceof WeigeError) {
      console.error(`weige hub: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    hub.log.info({ signal }, 'stopping');
    hub.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        hub.log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    await hub.start();
  } catch (err) {
    hub.log.fatal({ err }, 'street hub failed to start');
    process.exit(1);
  }
}

void main();
