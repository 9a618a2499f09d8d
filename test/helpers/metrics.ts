/** Reads a gateway's /metrics (Prometheus text) over real HTTP. */

export interface MetricsSnapshot {
  /** Sum of every series of `name` whose labels include `labels` (0 when there is none). */
  sum(name: string, labels?: Record<string, string>): number;
}

export async function scrapeMetrics(http: string): Promise<MetricsSnapshot> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const series = [...text.matchAll(/^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/gm)].map((m) => ({
    name: m[1]!,
    labels: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!])),
    value: Number(m[3]),
  }));
  return {
    sum(name, labels = {}) {
      return series
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((acc, s) => acc + s.value, 0);
    },
  };
}
