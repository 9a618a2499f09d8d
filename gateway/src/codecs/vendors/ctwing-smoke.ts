/**
 * NB-IoT smoke/heat/CO sensor as pushed by the CTWing platform (天翼物联 AIoT) on
 * `weige/{deviceId}/telemetry`. Smoke comes as optical obscuration in %/m, converted to dB/m
 * (dB/m = −10·log10(1 − p/100), the unit GB 4715 sensitivities are given in).
 *
 *   {"deviceId":"smoke-shed-3","timestamp":1763766000000,"messageType":"dataReport",
 *    "payload":{"serviceData":{"smoke_obscuration":0.46,"temperature":23.4,"co":2,"battery_value":88}}}
 */
import { CodecError, parseJson, type Codec, type Decoded } from '../codec.ts';
import { schemaChecker } from '../schema-check.ts';

const check = schemaChecker<{
  timestamp: number;
  messageType: string;
  payload: { serviceData: Record<string, number> };
}>({
  type: 'object',
  required: ['timestamp', 'messageType', 'payload'],
  properties: {
    timestamp: { type: 'number', minimum: 0 },
    messageType: { type: 'string' },
    payload: {
      type: 'object',
      required: ['serviceData'],
      properties: { serviceData: { type: 'object', additionalProperties: { type: 'number' } } },
    },
  },
});

/** CTWing service-data names → canonical fields. */
const FIELDS: Record<string, string> = {
  temperature: 'temp_c',
  co: 'co_ppm',
  h2: 'h2_ppm',
  humidity: 'humidity_pct',
  battery_value: 'battery_pct',
};

export function obscurationToDbPerM(percentPerM: number): number {
  if (percentPerM <= 0) return 0; // also avoids −0 from −10·log10(1)
  if (percentPerM >= 100) return 100;
  return -10 * Math.log10(1 - percentPerM / 100);
}

export const ctwingSmokeCodec: Codec = {
  id: 'ctwing-smoke',
  description: 'NB-IoT smoke/heat/CO sensor via CTWing platform push (obscuration %/m → dB/m)',
  kinds: ['smoke_sensor'],
  streams: ['telemetry'],
  decode({ payload }): Decoded {
    const p = check(parseJson(payload));
    if (p.messageType !== 'dataReport')
      throw new CodecError('unknown_vendor_value', `messageType '${p.messageType}' carries no readings`);
    const values: Record<string, number> = {};
    for (const [name, v] of Object.entries(p.payload.serviceData)) {
      if (name === 'smoke_obscuration') values.smoke_db_m = Number(obscurationToDbPerM(v).toFixed(4));
      else if (FIELDS[name]) values[FIELDS[name]] = v;
    }
    if (Object.keys(values).length === 0)
      throw new CodecError('schema_violation', 'serviceData has no known measurement');
    return { type: 'readings', readings: [{ ts: p.timestamp, port: null, values, labels: {} }] };
  },
};
