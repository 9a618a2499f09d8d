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
  /** Wait until the gateway has raised no new alert for this long (detection trails ingest). */
  settleS: number;
  /** Score only the scene up to this event time (what a still-busy gateway has reached). */
  untilMs: number | null;
  progress?: (text: string) => void;
}

/** Alerts raised so far, from the unauthenticated Prometheus counters. */
async function alertsRaised(api: string): Promise<number> {
  const res = await fetch(`${api}/metrics`);
  const text = await res.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('weige_alerts_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function settle(o: ScoreOptions): Promise<void> {
  if (o.settleS <= 0) return;
  let last = -1;
  let quietSince = performance.now();
  for (;;) {
    const now = await alertsRaised(o.api);
    if (now !== last) quietSince = performance.now();
    else if (performance.now() - quietSince >= o.settleS * 1000) return;
    last = now;
    o.progress?.(`${now} alerts raised so far; waiting for ${o.settleS} s without a new one`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

/** The scene cut at `untilMs`: truth events after it dropped, the span (denominators) shortened. */
export function truncateTruth(truth: Truth[], untilMs: number): Truth[] {
  return truth
    .filter((t) => t.ts < untilMs)
    .map((t) => (t.kind === 'scene' ? { ...t, endTs: Math.min(t.endTs, untilMs) } : t));
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
  const allTruth = readJsonl<Truth>(join(o.dir, TRUTH_FILE));
  const truth = o.untilMs === null ? allTruth : truncateTruth(allTruth, o.untilMs);
  await settle(o);
  const commandsFile = join(o.dir, COMMANDS_FILE);
  const commands = existsSync(commandsFile) ? readJsonl<RecordedCommand>(commandsFile) : [];
  const { token } = await call<{ token: string }>(`${o.api}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: o.username, password: o.password }),
  });
  const alerts = (await fetchAlerts(o.api, token)).filter(
    (a) => o.untilMs === null || Date.parse(a.eventTs) < o.untilMs,
  );
  const scene = truth.find((t): t is SceneTruth => t.kind === 'scene');
  if (scene?.danger === 'sheds') {
    // A port named in a fire alert's evidence (`port` or `suspectPort`) locates it (one logged read per alert).
    for (const a of alerts.filter((x) => DANGER_KINDS.sheds.includes(x.kind))) {
      const full = await call<{ evidence?: { port?: unknown; suspectPort?: unknown } }>(
        `${o.api}/api/alerts/${a.id}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      const named = Number(full.evidence?.port ?? full.evidence?.suspectPort);
      a.port = Number.isInteger(named) ? named : null;
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
