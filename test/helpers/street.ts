/**
 * A street for hub tests: small generated community sites (one micro-grid each, fast escalation
 * so an unaccepted incident reaches the street in a few seconds), the street file that lists
 * them, and street hub replicas — in-process on the test clock, or as child processes
 * (`node --import tsx gateway/src/hub/main.ts`) for SIGKILL tests.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { createRootLogger } from '../../gateway/src/core/logger.ts';
import { hashPassword } from '../../gateway/src/core/passwords.ts';
import { Hub } from '../../gateway/src/hub/hub.ts';
import type { Settings } from '../../gateway/src/config/settings.ts';
import { testClock } from './clock.ts';
import { DEMO_STAFF_PASSWORD } from './gateway.ts';
import { spawnEntry, type EntryProcess } from './entry-process.ts';
import { freePort } from './ports.ts';

export const STREET_GRID = 'wuliqiao';
const PASSWORD_HASH = await hashPassword(DEMO_STAFF_PASSWORD);
const text = (zh: string, en: string) => ({ 'zh-CN': zh, en });

export const gatewayKey = (siteId: string): string => `key-of-${siteId}-0123456789abcdef`;

/**
 * A small community: one building, two households, a bike shed with a smoke sensor, A/B grid
 * workers, a micro-grid leader and the community's own street-duty account at the street node.
 * Critical incidents escalate every `acceptS` seconds (A → B → leader → street).
 */
export function writeCommunitySite(dir: string, siteId: string, acceptS = 1): string {
  const mg = `mg-${siteId}`;
  const site = {
    version: 1,
    id: siteId,
    name: text(`${siteId}小区`, `${siteId} estate`),
    timezone: 'Asia/Shanghai',
    grid: {
      id: STREET_GRID,
      level: 'street',
      name: text('五里桥街道', 'Wuliqiao'),
      children: [
        {
          id: `blk-${siteId}`,
          level: 'block',
          name: text(`${siteId}街区`, `${siteId} block`),
          children: [
            {
              id: `nb-${siteId}`,
              level: 'neighbourhood',
              name: text(`${siteId}居民区`, `${siteId} neighbourhood`),
              children: [{ id: mg, level: 'micro_grid', name: text('第一微网格', 'Micro-grid 1') }],
            },
          ],
        },
      ],
    },
    buildings: [
      {
        id: 'B1',
        name: text('1号楼', 'Building 1'),
        grid: mg,
        floors: 6,
        floorHeightM: 2.8,
        units: ['1'],
        facades: [{ id: 'south', widthM: 30 }],
      },
    ],
    places: [{ id: 'shed-1', kind: 'bike_shed', name: text('1号车棚', 'Shed 1'), grid: mg }],
    households: [1, 2].map((n) => ({
      id: `B1-1-10${n}`,
      building: 'B1',
      unit: '1',
      floor: 1,
      room: `10${n}`,
      grid: mg,
      residents: 1,
      elderly: n === 1,
      livesAlone: n === 1,
    })),
    devices: [{ id: `smoke-${siteId}`, kind: 'smoke_sensor', codec: 'canonical', place: 'shed-1' }],
    staff: [
      ['worker-a', 'grid_worker', mg, 'A'],
      ['worker-b', 'grid_worker', mg, 'B'],
      ['leader', 'micro_grid_leader', mg, null],
      ['street-duty', 'micro_grid_leader', STREET_GRID, null],
      ['admin', 'admin', STREET_GRID, null],
    ].map(([id, role, grid, post]) => ({
      id,
      name: id,
      username: id,
      passwordHash: PASSWORD_HASH,
      roles: [role],
      grid,
      ...(post ? { onCall: post } : {}),
    })),
    routing: {
      kinds: { fire: { roles: ['grid_worker'] } },
      defaultRoles: ['grid_worker'],
      supervisorRoles: ['micro_grid_leader'],
    },
    escalation: {
      timeouts: { critical: { acceptS, arriveS: 3600, resolveS: 7200, reminderS: acceptS } },
    },
    playbooks: {},
  };
  const file = path.join(dir, `${siteId}.yaml`);
  writeFileSync(file, stringify(site));
  return file;
}

export function writeStreetFile(
  dir: string,
  siteIds: string[],
  escalation = { acceptS: 3, reminderS: 1 },
): string {
  const street = {
    version: 1,
    id: 'wuliqiao',
    name: text('五里桥街道', 'Wuliqiao Subdistrict'),
    gridId: STREET_GRID,
    escalation,
    communities: siteIds.map((siteId) => ({
      siteId,
      name: text(`${siteId}小区`, siteId),
      key: gatewayKey(siteId),
    })),
    staff: [
      { username: 'duty', name: '街道值班员', passwordHash: PASSWORD_HASH, roles: ['street_duty'] },
      { username: 'chief', name: '街道管理员', passwordHash: PASSWORD_HASH, roles: ['street_admin'] },
      ...siteIds.map((s) => ({
        username: `${s}-manager`,
        name: s,
        passwordHash: PASSWORD_HASH,
        roles: ['property_manager'],
        site: s,
      })),
    ],
  };
  const file = path.join(dir, 'street.yaml');
  writeFileSync(file, stringify(street));
  return file;
}

/** Gateway settings that link a community to the hub replicas at `hubs`. */
export function linkSettings(siteFile: string, siteId: string, hubs: string[]): Partial<Settings> {
  return { siteFile, hubUrls: hubs, hubKey: gatewayKey(siteId) };
}

export interface HubClientApi {
  http: string;
  api<T = unknown>(
    method: string,
    p: string,
    options?: { user?: string; body?: unknown },
  ): Promise<{ status: number; body: T }>;
}

export function hubApi(http: string): HubClientApi {
  const tokens = new Map<string, string>();
  return {
    http,
    async api(method, p, { user, body } = {}) {
      const headers: Record<string, string> = {};
      if (user) {
        if (!tokens.has(user)) {
          const res = await fetch(`${http}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: user, password: DEMO_STAFF_PASSWORD }),
          });
          if (res.status !== 200) throw new Error(`hub login ${user}: ${res.status} ${await res.text()}`);
          tokens.set(user, ((await res.json()) as { token: string }).token);
        }
        headers.authorization = `Bearer ${tokens.get(user)}`;
      }
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${http}${p}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const t = await res.text();
      return { status: res.status, body: (t ? JSON.parse(t) : null) as never };
    },
  };
}

export interface TestHub extends HubClientApi {
  hub: Hub;
  stop(): Promise<void>;
}

/** An in-process replica on the test clock; `port` 0 picks a free one (a restart passes the old one). */
export async function startTestHub(
  databaseUrl: string,
  streetFile: string,
  replica: string,
  port = 0,
): Promise<TestHub> {
  const hub = new Hub({
    env: {},
    settings: { databaseUrl, streetFile, httpHost: '127.0.0.1', httpPort: port, replica, jobPollMs: 100 },
    clock: testClock,
    logger: createRootLogger((process.env.WEIGE_TEST_LOG as Settings['logLevel']) ?? 'silent'),
  });
  await hub.start();
  return { hub, ...hubApi(`http://127.0.0.1:${hub.httpPort}`), stop: () => hub.stop() };
}

export interface HubProcess extends HubClientApi, EntryProcess {}

/** A hub replica as a child process (the real `npm run hub` entry point) on a free port. */
export async function spawnHub(
  databaseUrl: string,
  streetFile: string,
  replica: string,
): Promise<HubProcess> {
  const port = await freePort();
  const http = `http://127.0.0.1:${port}`;
  const proc = await spawnEntry(
    'gateway/src/hub/main.ts',
    {
      WEIGE_HUB_DATABASE_URL: databaseUrl,
      WEIGE_HUB_STREET: streetFile,
      WEIGE_HUB_HTTP_HOST: '127.0.0.1',
      WEIGE_HUB_HTTP_PORT: String(port),
      WEIGE_HUB_REPLICA: replica,
      WEIGE_HUB_JOB_POLL_MS: '100',
      WEIGE_LOG_LEVEL: 'warn',
    },
    `${http}/healthz`,
    `hub ${replica}`,
  );
  return { ...proc, ...hubApi(http) };
}
