/**
 * Sanchuan-style NB-IoT water meter (三川 NB-IoT 远传水表), as relayed by the operator platform:
 * one message a day with the register at each hour, litres, local time `yyyyMMddHHmmss` (+08:00),
 * battery as cell voltage. Topic `vendor/sanchuan/{meterNo}/up`, meterNo = Weige device id.
 *
 *   {"meterNo":"wm-B1-1-201","startTime":"20261122000000","intervalMin":60,
 *    "cumulativeL":[102331,102345,…],"batteryV":3.52}
 *
 * Between daily uploads the meter sends event-triggered alarm uplinks (持续用水报警 and others):
 * the register at that moment plus `alarm`. A continuous-flow alarm becomes the canonical
 * `flow_lph` and `continuous_flow_min` on that reading; any other alarm code is kept as the
 * reading's `alarm` label, so nothing the meter said is dropped.
 *
 *   {"meterNo":"wm-B1-1-201","startTime":"20261122103700","intervalMin":60,"cumulativeL":[102391],
 *    "alarm":{"code":"continuousFlow","flowLph":360,"durationMin":10}}
 */
import { CodecError, parseJson, type Codec, type Decoded } from '../codec.ts';
import { schemaChecker } from '../schema-check.ts';

/** The alarm code for 持续用水报警; the schema requires its duration. */
const CONTINUOUS_FLOW = 'continuousFlow';

const check = schemaChecker<{
  meterNo: string;
  startTime: string;
  intervalMin: number;
  cumulativeL: number[];
  batteryV?: number;
  alarm?: { code: string; flowLph?: number; durationMin?: number };
}>({
  type: 'object',
  required: ['meterNo', 'startTime', 'intervalMin', 'cumulativeL'],
  properties: {
    meterNo: { type: 'string', minLength: 1 },
    startTime: { type: 'string', pattern: '^\\d{14}$' },
    intervalMin: { type: 'integer', minimum: 1, maximum: 1440 },
    cumulativeL: { type: 'array', minItems: 1, maxItems: 1440, items: { type: 'number', minimum: 0 } },
    batteryV: { type: 'number', minimum: 0, maximum: 5 },
    alarm: {
      type: 'object',
      required: ['code'],
      properties: {
        code: { type: 'string', minLength: 1, maxLength: 64 },
        flowLph: { type: 'number', minimum: 0 },
        durationMin: { type: 'number', minimum: 0 },
      },
      if: { properties: { code: { const: CONTINUOUS_FLOW } } },
      then: { required: ['durationMin'] },
    },
  },
  additionalProperties: true,
});

/** Li-SOCl₂ cell: about 3.6 V fresh, meters call it empty near 3.0 V. */
const BATTERY_FULL_V = 3.6;
const BATTERY_EMPTY_V = 3.0;

/** `yyyyMMddHHmmss` in China Standard Time (UTC+8, no DST) → epoch ms. */
export function parseChinaLocalTime(s: string): number {
  const [y, mo, d, h, mi, se] = [
    s.slice(0, 4),
    s.slice(4, 6),
    s.slice(6, 8),
    s.slice(8, 10),
    s.slice(10, 12),
    s.slice(12, 14),
  ];
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${se}+08:00`);
  if (Number.isNaN(ms))
    throw new CodecError('bad_timestamp', `startTime '${s}' is not a valid yyyyMMddHHmmss time`);
  return ms;
}

export const sanchuanNbiotCodec: Codec = {
  id: 'sanchuan-nbiot',
  description:
    'Sanchuan-style NB-IoT water meter: daily batch of hourly registers in litres (vendor/sanchuan/{meterNo}/up)',
  kinds: ['water_meter'],
  streams: ['telemetry'],
  vendorTopic: {
    filter: 'vendor/sanchuan/+/up',
    deviceId: (topic) => topic.split('/')[2] ?? null,
    stream: 'telemetry',
  },
  decode({ payload }): Decoded {
    const p = check(parseJson(payload));
    const start = parseChinaLocalTime(p.startTime);
    const last = p.cumulativeL.length - 1;
    const batteryPct =
      p.batteryV === undefined
        ? undefined
        : Math.round(
            Math.min(
              100,
              Math.max(0, ((p.batteryV - BATTERY_EMPTY_V) / (BATTERY_FULL_V - BATTERY_EMPTY_V)) * 100),
            ),
          );
    const alarm = p.alarm ? alarmFields(p.alarm) : null;
    return {
      type: 'readings',
      readings: p.cumulativeL.map((litres, i) => ({
        ts: start + i * p.intervalMin * 60_000,
        port: null,
        values: {
          total_m3: litres / 1000,
          ...(i === last && batteryPct !== undefined ? { battery_pct: batteryPct } : {}),
          ...(i === last && alarm ? alarm.values : {}),
        },
        labels: i === last && alarm ? alarm.labels : {},
      })),
    };
  },
};

function alarmFields(alarm: NonNullable<ReturnType<typeof check>['alarm']>): {
  values: Record<string, number>;
  labels: Record<string, string>;
} {
  if (alarm.code !== CONTINUOUS_FLOW || alarm.durationMin === undefined)
    return { values: {}, labels: { alarm: alarm.code } };
  return {
    values: {
      continuous_flow_min: alarm.durationMin,
      ...(alarm.flowLph !== undefined ? { flow_lph: alarm.flowLph } : {}),
    },
    labels: {},
  };
}
