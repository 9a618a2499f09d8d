/**
 * Backtesting: replay the stored history of chosen devices (and the other devices at their
 * places, for rules that combine sensors) through a rule set, on a private engine, and return
 * what it would have raised. Nothing goes on the bus.
 */
import type { GatewayContext } from '../../context.ts';
import { replay, type FixtureItem, type ReplayResult } from './fixture.ts';
import type { CompiledRule } from './types.ts';

export const BACKTEST_MAX_ITEMS = 500_000;

export function collectHistory(
  ctx: GatewayContext,
  deviceIds: string[],
  from: number,
  to: number,
): FixtureItem[] {
  const ids = new Set(deviceIds);
  for (const id of deviceIds) {
    const place = ctx.site.device(id)?.place;
    if (place) for (const d of ctx.site.allDevices()) if (d.place === place) ids.add(d.id);
  }
  const items: Array<FixtureItem & { tsMs: number }> = [];
  for (const deviceId of ids) {
    for (const r of ctx.stores.readings.query({
      siteId: ctx.site.siteId,
      deviceId,
      from,
      to,
      limit: BACKTEST_MAX_ITEMS,
    }))
      items.push({
        ts: r.ts,
        tsMs: r.ts,
        device: deviceId,
        port: r.port,
        values: r.values,
        labels: r.labels,
      });
    for (const e of ctx.stores.events.queryEvents(ctx.site.siteId, deviceId, from, to, BACKTEST_MAX_ITEMS))
      items.push({
        ts: e.ts,
        tsMs: e.ts,
        device: deviceId,
        event: e.type,
        confidence: e.confidence,
        attributes: e.attributes,
      });
  }
  items.sort((a, b) => a.tsMs - b.tsMs);
  return items.slice(0, BACKTEST_MAX_ITEMS).map(({ tsMs: _ts, ...item }) => item);
}

export function backtest(
  ctx: GatewayContext,
  rules: CompiledRule[],
  deviceIds: string[],
  from: number,
  to: number,
): ReplayResult & { items: number } {
  const items = collectHistory(ctx, deviceIds, from, to);
  return { ...replay(ctx.site, rules, items, { until: to }), items: items.length };
}
