/**
 * One street hub replica, built from settings: PostgreSQL pool and migrations, the street file,
 * the desk, uplink and downlink stores, the timer worker and the HTTP API; started in that
 * order, stopped in reverse. Replicas keep no state of their own: run two or more behind any
 * load balancer (or list them all in each gateway's WEIGE_HUB_URL).
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createHubApi } from '../api/hub/app.ts';
import { SystemClock, type Clock } from '../core/clock.ts';
import { createRootLogger, moduleLogger, type Logger } from '../core/logger.ts';
import { migrateHub, openPool, type Pool } from './database.ts';
import { DownlinkStore } from './downlink-store.ts';
import { JobWorker } from './job-worker.ts';
import { readHubSettings, type HubSettings } from './settings.ts';
import { StreetDesk } from './street-desk.ts';
import { loadStreetFile, type Street } from './street-file.ts';
import { UplinkStore } from './uplink-store.ts';

export interface HubOptions {
  env?: NodeJS.ProcessEnv;
  settings?: Partial<HubSettings>;
  clock?: Clock;
  logger?: Logger;
}

export class Hub {
  readonly settings: HubSettings;
  readonly street: Street;
  readonly pool: Pool;
  readonly log: Logger;
  private readonly clock: Clock;
  private readonly closing = new AbortController();
  private worker: JobWorker | null = null;
  private app: FastifyInstance | null = null;

  constructor(options: HubOptions = {}) {
    this.settings = readHubSettings(options.env ?? process.env, options.settings);
    this.log = options.logger ?? createRootLogger(this.settings.logLevel);
    this.clock = options.clock ?? new SystemClock();
    this.street = loadStreetFile(this.settings.streetFile);
    this.pool = openPool(this.settings.databaseUrl);
  }

  async start(): Promise<void> {
    const log = moduleLogger(this.log, 'hub');
    const { settings, street, pool, clock } = this;
    // A dropped idle connection (PostgreSQL restarted) must not crash the replica.
    pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL connection lost'));
    const applied = await migrateHub(pool);
    await this.registerCommunities();
    const desk = new StreetDesk(street);
    this.worker = new JobWorker({
      pool,
      desk,
      clock,
      log,
      replica: settings.replica,
      pollMs: settings.jobPollMs,
    });
    this.app = await createHubApi({
      street,
      pool,
      clock,
      log: this.log,
      tokenTtlH: settings.tokenTtlH,
      desk,
      uplink: new UplinkStore({ pool, clock, desk }),
      downlink: new DownlinkStore(pool),
      closing: this.closing.signal,
      replica: settings.replica,
    });
    await this.app.listen({ host: settings.httpHost, port: settings.httpPort });
    this.worker.start();
    log.info(
      {
        replica: settings.replica,
        street: street.id,
        communities: street.communities.length,
        httpPort: this.httpPort,
        migrations: applied,
      },
      'street hub started',
    );
  }

  async stop(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    await this.worker?.stop();
    await this.app?.close();
    await this.pool.end();
  }

  get httpPort(): number {
    return (this.app?.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The street file is the source of truth for communities and keys; every replica upserts it. */
  private async registerCommunities(): Promise<void> {
    for (const c of this.street.communities)
      await this.pool.query(
        `INSERT INTO hub_communities (site_id, street_id, name, gateway_key) VALUES ($1, $2, $3, $4)
         ON CONFLICT (site_id) DO UPDATE SET street_id = $2, name = $3, gateway_key = $4`,
        [c.siteId, this.street.id, JSON.stringify(c.name), c.key],
      );
  }
}
