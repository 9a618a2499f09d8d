/**
 * Starts a real PostgreSQL (Debian package `postgresql`) for a test: `initdb` a temp cluster,
 * run `postgres` on a free loopback port, hand out databases, and stop it and remove the files
 * afterwards. PostgreSQL refuses to run as root, so under root it runs as the `postgres` user.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findBinary } from './binaries.ts';
import { freePort, waitForPort } from './ports.ts';

export interface PostgresInstance {
  port: number;
  /** A fresh, empty database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The PostgreSQL server binaries (Debian keeps them in /usr/lib/postgresql/<major>/bin). */
export function findPostgresBin(): string | null {
  const onPath = findBinary('initdb') && findBinary('postgres');
  if (onPath) return path.dirname(findBinary('postgres')!);
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const dir = majors.map((m) => path.join(root, m, 'bin')).find((d) => existsSync(path.join(d, 'initdb')));
  return dir ?? null;
}

/**
 * A small pool for a test's own queries. A client that is still closing when the server stops
 * gets "terminating connection due to administrator command": expected at teardown, not a failure.
 */
export function openTestPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}

/** The port opens while the server is still starting up ("the database system is starting up"). */
async function untilAnswering(url: string, stderr: () => string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (attempt >= 100) throw new Error(`postgres does not answer: ${(err as Error).message}\n${stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

type AsPostgres = (cmd: string, args: string[]) => [string, string[]];

/** A new cluster in a temporary directory, owned by `postgres` when run as root (initdb refuses root). */
function initCluster(bin: string): { dir: string; data: string; run: AsPostgres } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weige-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let uid: number | null = null;
  if (asRoot) {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run: AsPostgres = (cmd, args) =>
    asRoot
      ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]]
      : [cmd, args];
  const [initCmd, initArgs] = run(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'weige',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  return { dir, data, run };
}

export async function startPostgres(): Promise<PostgresInstance> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      'PostgreSQL is not installed (scripts/install-test-deps.sh installs the postgresql package)',
    );
  const { dir, data, run } = initCluster(bin);
  const port = await freePort();
  const [pgCmd, pgArgs] = run(path.join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=32MB',
  ]);
  // setpriv execs postgres in place: the child's pid is the postmaster's.
  const child: ChildProcess = spawn(pgCmd, pgArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    await waitForPort(port, 20_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`postgres did not start: ${(err as Error).message}\n${stderr}`);
  }
  const admin = `postgres://weige@127.0.0.1:${port}/postgres`;
  await untilAnswering(admin, () => stderr);
  return {
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return `postgres://weige@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null)
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          // SIGINT: PostgreSQL's fast shutdown (disconnects clients, no recovery needed).
          child.kill('SIGINT');
        });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
