/**
 * Pulls every alert from a gateway's API (engineer login) and scores it against a scene's truth
 * (matching rules: match.ts). Prints the table and writes it to score.json beside the scene.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DANGER_KINDS, matchAlerts, type GatewayAlert } from './match.ts';
import { computeMetrics, formatMetrics } from './metrics.ts';
import type { RecordedCommand } from './replay.ts';
import { COMMANDS_FILE, readJsonl, TRUTH_FILE, type SceneTruth, type Truth } from './scene.ts';

export interface ScoreOptions {
  dir: string;
  api: string;
  username: string;
  password: string;
}

const PAGE = 5000;

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every alert the engineer may see, paging back through `until` (alerts come newest first). */
export async function fetchAlerts(api: string, token: string): Promise<GatewayAlert[]> {
  const headers = { authorization: `Bearer ${token}` };
  const seen = new Map<string, GatewayAlert & { detectedAt: string }>();
  let until: string | null = null;
  for (;;) {
    const q = new URLSearchParams({ limit: String(PAGE), ...(until ? { until } : {}) });
    const page = await call<Array<GatewayAlert & { detectedAt: string }>>(`${api}/api/alerts?${q}`, {
      headers,
    });
    const fresh = page.filter((a) => !seen.has(a.id));
    for (const a of fresh) seen.set(a.id, a);
    if (page.length < PAGE || !fresh.length) break;
    // `until` is exclusive: step one millisecond past the oldest so ties are fetched again, not lost.
    const oldest = Math.min(...page.map((a) => Date.parse(a.detectedAt)));
    until = new Date(oldest + 1).toISOString();
  }
  return [...seen.values()];
}

export async function scoreScene(o: ScoreOptions): Promise<string> {
  const truth = readJsonl<Truth>(join(o.dir, TRUTH_FILE));
  const commandsFile = join(o.dir, COMMANDS_FILE);
  const commands = existsSync(commandsFile) ? readJsonl<RecordedCommand>(commandsFile) : [];
  const { token } = await call<{ token: string }>(`${o.api}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: o.username, password: o.password }),
  });
  const alerts = await fetchAlerts(o.api, token);
  const scene = truth.find((t): t is SceneTruth => t.kind === 'scene');
  if (scene?.danger === 'sheds') {
    // A port named in a fire alert's evidence counts as locating it (one logged read per alert).
    for (const a of alerts.filter((x) => DANGER_KINDS.sheds.includes(x.kind))) {
      const full = await call<{ evidence?: { port?: unknown } }>(`${o.api}/api/alerts/${a.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      a.port = typeof full.evidence?.port === 'number' ? full.evidence.port : null;
    }
  }
  const result = matchAlerts(truth, alerts, commands);
  const metrics = computeMetrics(result);
  writeFileSync(
    join(o.dir, 'score.json'),
    JSON.stringify({ metrics, alerts: alerts.length }, null, 2) + '\n',
  );
  return `${formatMetrics(`${result.danger} (seed ${result.scene.seed}, ${alerts.length} alerts on the gateway)`, metrics)}`;
}
