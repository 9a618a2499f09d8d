/**
 * The dashboards stage: finds the built pages (dashboards/dist, produced by
 * `npm run build:dashboards`, which `npm install` runs); api/routes/dashboards.ts serves them at `/`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { moduleLogger } from '../core/logger.ts';
import type { GatewayModule, ModuleFactory } from '../module.ts';

export const DASHBOARDS_DIST = fileURLToPath(new URL('../../../dashboards/dist/', import.meta.url));

/** What the API needs to serve the pages: where they are, and whether they were built. */
export interface DashboardsFacade {
  readonly distDir: string;
  readonly built: boolean;
}

export class UiModule implements GatewayModule {
  readonly name = 'ui';

  constructor(
    private readonly dashboards: DashboardsFacade,
    private readonly log: ReturnType<typeof moduleLogger>,
  ) {}

  facade(): DashboardsFacade {
    return this.dashboards;
  }

  start(): void {
    const { distDir, built } = this.dashboards;
    if (built) this.log.info({ distDir }, 'dashboards served at /');
    else this.log.warn({ distDir }, 'dashboards not built: run npm run build:dashboards');
  }

  stop(): void {}
}

export function createUiModule(options: { distDir?: string } = {}): ModuleFactory {
  return (ctx) => {
    const distDir = options.distDir ?? DASHBOARDS_DIST;
    return new UiModule({ distDir, built: existsSync(`${distDir}/index.html`) }, moduleLogger(ctx.log, 'ui'));
  };
}

export const uiModule: ModuleFactory = createUiModule();
