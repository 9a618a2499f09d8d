import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // Integration tests start real brokers and databases; two workers suit a 2-core machine.
    pool: 'forks',
    // Date in the workers ignores steps of the system clock: vitest times tests out on Date.now().
    poolOptions: {
      forks: {
        maxForks: 2,
        minForks: 1,
        execArgv: ['--import', fileURLToPath(new URL('test/helpers/steady-date.mjs', import.meta.url))],
      },
    },
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
