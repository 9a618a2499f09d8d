/** Detections and a gateway with only the alerting and channels stages, for alerting tests. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { EXAMPLE_SITE_FILE } from '../../../gateway/src/site/site-loader.ts';
import type { Detection } from '../../../gateway/src/contracts/alerts.ts';
import { ManualClock, type Clock } from '../../../gateway/src/core/clock.ts';
import { createAlertingModule, AlertingModule } from '../../../gateway/src/alerting/module.ts';
import { createChannelsModule } from '../../../gateway/src/channels/module.ts';
import type { GatewayModule } from '../../../gateway/src/module.ts';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import type { Settings } from '../../../gateway/src/config/settings.ts';

/** 2026-11-25T08:00:00Z: detections are stamped on this clock. */
export const T0 = Date.parse('2026-11-25T08:00:00Z');

export function shedFire(over: Partial<Detection> = {}): Detection {
  return {
    kind: 'fire',
    severity: 'critical',
    siteId: 'chunjiang',
    eventTs: T0,
    source: { deviceId: 'smoke-shed-3', rule: 'shed-fire-confirmed', model: null },
    dedupeKey: 'fire:shed-3',
    location: { place: 'shed-3' },
    title: { 'zh-CN': '3号非机动车棚火警', en: 'Fire in bike shed 3' },
    message: { 'zh-CN': '烟感与温感同时报警', en: 'Smoke and heat sensors both alarm' },
    evidence: { smoke_db_m: 0.31, temp_c: 71 },
    ...over,
  };
}

export function offline(deviceId: string, place: string, over: Partial<Detection> = {}): Detection {
  return {
    kind: 'device_offline',
    severity: 'minor',
    siteId: 'chunjiang',
    eventTs: T0,
    source: { deviceId, rule: 'device-offline', model: null },
    dedupeKey: `offline:${deviceId}`,
    location: { place },
    title: { 'zh-CN': `${deviceId} 离线`, en: `${deviceId} offline` },
    message: { 'zh-CN': '设备超时未上报', en: 'No report within the expected interval' },
    evidence: {},
    ...over,
  };
}

export function inactivity(household: string, over: Partial<Detection> = {}): Detection {
  return {
    kind: 'elderly_inactivity',
    severity: 'major',
    siteId: 'chunjiang',
    eventTs: T0,
    source: { deviceId: `wm-${household}`, rule: 'water-12h-under-10l', model: null },
    dedupeKey: `inactivity:${household}`,
    location: { household },
    title: { 'zh-CN': '独居老人12小时用水不足', en: 'Resident alone: under 10 L in 12 h' },
    message: { 'zh-CN': '请上门探视', en: 'Please visit' },
    evidence: { used_m3: 0.002 },
    ...over,
  };
}

export interface AlertingTestGateway extends TestGateway {
  /** A ManualClock, unless the test asked for the running test clock. */
  clock: ManualClock;
  alerting: AlertingModule;
  raise(d: Detection): void;
}

export async function startAlertingGateway(
  settings: Partial<Settings> = {},
  extraModules: Array<() => GatewayModule> = [],
  clock: Clock = new ManualClock(T0),
): Promise<AlertingTestGateway> {
  const alerting = createAlertingModule() as AlertingModule;
  const gw = await startTestGateway(settings, {
    clock,
    modules: [createChannelsModule, () => alerting, ...extraModules],
  });
  return {
    ...gw,
    clock: clock as ManualClock,
    alerting,
    raise: (d) => gw.gateway.ctx.bus.emit('detectionRaised', d),
  };
}

/** A copy of the example site with some sections replaced, in `dir`; returns its path. */
export function writeSite(dir: string, sections: Record<string, unknown>): string {
  const site = parseYaml(readFileSync(EXAMPLE_SITE_FILE, 'utf8')) as Record<string, unknown>;
  Object.assign(site, sections);
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, stringifyYaml(site, { lineWidth: 0 }));
  return file;
}
