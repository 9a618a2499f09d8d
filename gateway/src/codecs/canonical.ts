/**
 * The canonical codec: the payloads of shared/CONTRACT.md on `weige/{deviceId}/{stream}`.
 * Also decodes the stream-level messages every device shares (status, command results),
 * whatever its vendor codec.
 */
import {
  CAMERA_TRACK,
  CHARGING_CONTROLLER_TELEMETRY,
  COMMAND_RESULT,
  DEVICE_EVENT,
  DOOR_CONTACT_TELEMETRY,
  ELECTRICITY_METER_TELEMETRY,
  GENERIC_TELEMETRY,
  SMOKE_SENSOR_TELEMETRY,
  WATER_METER_TELEMETRY,
} from '../contracts/payload-schemas.ts';
import { DEVICE_KINDS, type DeviceKind } from '../contracts/readings.ts';
import {
  CodecError,
  parseJson,
  type Codec,
  type Decoded,
  type DecodedReading,
  type DecodeInput,
  type RawTs,
} from './codec.ts';
import { schemaChecker } from './schema-check.ts';

type Flat = Record<string, unknown> & { ts: RawTs };
type RegisterBatch = { readings: Array<{ ts: RawTs } & Record<string, number>> } & Record<string, unknown>;
type ChargerPayload = {
  ts: RawTs;
  temp_c?: number;
  ports: Array<{ port: number; state: string } & Record<string, number | string>>;
};

const checkWater = schemaChecker<Flat | RegisterBatch>(WATER_METER_TELEMETRY);
const checkElectricity = schemaChecker<Flat | RegisterBatch>(ELECTRICITY_METER_TELEMETRY);
const checkDoor = schemaChecker<Flat>(DOOR_CONTACT_TELEMETRY);
const checkSmoke = schemaChecker<Flat>(SMOKE_SENSOR_TELEMETRY);
const checkCharger = schemaChecker<ChargerPayload>(CHARGING_CONTROLLER_TELEMETRY);
const checkGeneric = schemaChecker<Flat>(GENERIC_TELEMETRY);
const checkEvent = schemaChecker<Flat & { type: string; confidence?: number }>(DEVICE_EVENT);
const checkTrack = schemaChecker<{
  track_id: string;
  start_ts: RawTs;
  fps: number;
  frame: { w: number; h: number };
  points: Array<[number, number, number, number, number]>;
  snapshot_url?: string;
  clip_url?: string;
}>(CAMERA_TRACK);
const checkCommandResult = schemaChecker<{ id: string; ok: boolean; error?: string }>(COMMAND_RESULT);

/** Every numeric field but `ts` becomes a value. */
export function flatReading(payload: Flat): DecodedReading {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(payload)) if (k !== 'ts' && typeof v === 'number') values[k] = v;
  return { ts: payload.ts, port: null, values, labels: {} };
}

function decodeTelemetry(kind: DeviceKind, data: unknown): Decoded {
  switch (kind) {
    case 'water_meter':
      return registerReadings(checkWater(data), 'total_m3');
    case 'electricity_meter':
      return registerReadings(checkElectricity(data), 'total_kwh');
    case 'door_contact':
      return { type: 'readings', readings: [flatReading(checkDoor(data))] };
    case 'smoke_sensor':
      return { type: 'readings', readings: [flatReading(checkSmoke(data))] };
    case 'charging_controller': {
      const p = checkCharger(data);
      const readings: DecodedReading[] = p.ports.map(({ port, state, ...rest }) => ({
        ts: p.ts,
        port,
        values: Object.fromEntries(
          Object.entries(rest).filter((e): e is [string, number] => typeof e[1] === 'number'),
        ),
        labels: { state },
      }));
      if (p.temp_c !== undefined)
        readings.push({ ts: p.ts, port: null, values: { temp_c: p.temp_c }, labels: {} });
      return { type: 'readings', readings };
    }
    case 'camera':
    case 'generic':
      return { type: 'readings', readings: [flatReading(checkGeneric(data))] };
  }
}

/** A meter's register reading, or a batch of them (`readings`) with device-level fields beside. */
function registerReadings(p: Flat | RegisterBatch, register: 'total_m3' | 'total_kwh'): Decoded {
  if (!('readings' in p)) return { type: 'readings', readings: [flatReading(p as Flat)] };
  const batch = p as RegisterBatch;
  const { readings: _r, ...shared } = batch;
  const sharedValues = flatReading({ ...shared, ts: 0 }).values;
  // Battery and other device-level fields describe the moment of sending: attach them to the newest reading.
  const newest = batch.readings.reduce(
    (best, r, i, all) => (tsOrder(r.ts) > tsOrder(all[best]!.ts) ? i : best),
    0,
  );
  return {
    type: 'readings',
    readings: batch.readings.map((r, i) => ({
      ts: r.ts,
      port: null,
      values: i === newest ? { [register]: r[register]!, ...sharedValues } : { [register]: r[register]! },
      labels: {},
    })),
  };
}

/** Sort key for raw timestamps of one batch (they share a format). */
function tsOrder(ts: RawTs): number {
  return typeof ts === 'number' ? ts : Date.parse(ts) || 0;
}

export function decodeStatus(payload: Buffer): Decoded {
  const text = payload.toString('utf8').trim();
  let status: unknown = text;
  if (text.startsWith('{')) status = (parseJson(payload) as { status?: unknown }).status;
  else if (text.startsWith('"')) status = parseJson(payload);
  if (status !== 'online' && status !== 'offline')
    throw new CodecError(
      'schema_violation',
      `status must be 'online' or 'offline', got ${JSON.stringify(text.slice(0, 40))}`,
    );
  return { type: 'status', status };
}

export function decodeCommandResult(payload: Buffer): Decoded {
  const r = checkCommandResult(parseJson(payload));
  return { type: 'command_result', id: r.id, ok: r.ok, error: r.error ?? null };
}

export function decodeEvent(data: unknown): Decoded {
  const { ts, type, confidence, ...attributes } = checkEvent(data);
  return { type: 'events', events: [{ ts, type, confidence: confidence ?? null, attributes }] };
}

export const canonicalCodec: Codec = {
  id: 'canonical',
  description:
    'Canonical payloads of shared/CONTRACT.md on weige/{deviceId}/{telemetry|event|track|status|command/result}',
  kinds: [...DEVICE_KINDS],
  streams: ['telemetry', 'event', 'track', 'status', 'command/result'],
  decode({ stream, payload, device }: DecodeInput): Decoded {
    switch (stream) {
      case 'status':
        return decodeStatus(payload);
      case 'command/result':
        return decodeCommandResult(payload);
      case 'telemetry':
        return decodeTelemetry(device.kind, parseJson(payload));
      case 'event':
        return decodeEvent(parseJson(payload));
      case 'track': {
        if (device.kind !== 'camera')
          throw new CodecError('unsupported_stream', `a ${device.kind} does not send tracks`);
        const t = checkTrack(parseJson(payload));
        return {
          type: 'track',
          track: {
            trackId: t.track_id,
            startTs: t.start_ts,
            fps: t.fps,
            frame: t.frame,
            points: t.points,
            snapshotUrl: t.snapshot_url ?? null,
            clipUrl: t.clip_url ?? null,
          },
        };
      }
    }
  },
};
