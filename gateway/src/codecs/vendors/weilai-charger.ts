/**
 * Smart charging controller for e-bike sheds in a compact vendor format common to Chinese
 * charging piles: epoch seconds, numeric port states and fixed-point tenths.
 * On `weige/{deviceId}/telemetry`:
 *
 *   {"sn":"charger-shed-2","t":1763766000,"p":[{"no":3,"st":1,"pw":180,"v":582,"i":31,"tmp":365}]}
 *
 * st: 0 idle, 1 charging, 2 full, 3 fault, 4 off. v, i, tmp in 0.1 V / 0.1 A / 0.1 °C.
 */
import type { PortState } from '../../contracts/readings.ts';
import { CodecError, parseJson, type Codec, type Decoded } from '../codec.ts';
import { schemaChecker } from '../schema-check.ts';

const STATES: PortState[] = ['idle', 'charging', 'full', 'fault', 'off'];

const check = schemaChecker<{
  t: number;
  p: Array<{ no: number; st: number; pw?: number; v?: number; i?: number; tmp?: number }>;
}>({
  type: 'object',
  required: ['t', 'p'],
  properties: {
    t: { type: 'integer', minimum: 0 },
    p: {
      type: 'array',
      minItems: 1,
      maxItems: 256,
      items: {
        type: 'object',
        required: ['no', 'st'],
        properties: {
          no: { type: 'integer', minimum: 0, maximum: 255 },
          st: { type: 'integer' },
          pw: { type: 'number', minimum: 0 },
          v: { type: 'number', minimum: 0 },
          i: { type: 'number', minimum: 0 },
          tmp: { type: 'number' },
        },
      },
    },
  },
});

export const weilaiChargerCodec: Codec = {
  id: 'weilai-charger',
  description: 'E-bike shed charging controller, compact vendor format (epoch s, numeric states, tenths)',
  kinds: ['charging_controller'],
  streams: ['telemetry'],
  decode({ payload }): Decoded {
    const p = check(parseJson(payload));
    return {
      type: 'readings',
      readings: p.p.map((port) => {
        const state = STATES[port.st];
        if (!state)
          throw new CodecError(
            'unknown_vendor_value',
            `/p port ${port.no} has unknown state code ${port.st}`,
          );
        const values: Record<string, number> = {};
        if (port.pw !== undefined) values.power_w = port.pw;
        if (port.v !== undefined) values.voltage_v = port.v / 10;
        if (port.i !== undefined) values.current_a = port.i / 10;
        if (port.tmp !== undefined) values.temp_c = port.tmp / 10;
        return { ts: p.t * 1000, port: port.no, values, labels: { state } };
      }),
    };
  },
};
