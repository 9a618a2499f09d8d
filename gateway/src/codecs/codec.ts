/**
 * What a codec is: a declarative object with a pure decode (herdsman-converters style).
 * Codecs turn one raw payload into canonical data, or throw a CodecError naming what is wrong.
 * They do no I/O and touch no bus or store; the ingest stage validates, stores and publishes.
 */
import type { RejectReason } from '../contracts/dead-letters.ts';
import type { DeviceKind } from '../contracts/readings.ts';
import type { Device } from '../contracts/site.ts';
import type { DeviceStream } from '../contracts/topics.ts';

/** Timestamps as the device gave them; ingest normalises and checks them. */
export type RawTs = string | number;

export interface DecodedReading {
  ts: RawTs;
  port: number | null;
  values: Record<string, number>;
  labels: Record<string, string>;
}

export interface DecodedEvent {
  ts: RawTs;
  type: string;
  confidence: number | null;
  attributes: Record<string, unknown>;
}

export interface DecodedTrack {
  trackId: string;
  startTs: RawTs;
  fps: number;
  frame: { w: number; h: number };
  points: Array<[number, number, number, number, number]>;
  snapshotUrl: string | null;
  clipUrl: string | null;
}

export type Decoded =
  | { type: 'readings'; readings: DecodedReading[] }
  | { type: 'events'; events: DecodedEvent[] }
  | { type: 'track'; track: DecodedTrack }
  | { type: 'status'; status: 'online' | 'offline' }
  | { type: 'command_result'; id: string; ok: boolean; error: string | null };

export interface DecodeInput {
  topic: string;
  stream: DeviceStream;
  payload: Buffer;
  device: Device;
}

export interface Codec {
  /** `canonical` or `<vendor>-<model>`. */
  id: string;
  description: string;
  kinds: DeviceKind[];
  /** Streams this codec decodes; the others fall back to the canonical codec. */
  streams: DeviceStream[];
  /** A vendor topic outside `weige/{id}/…`: an MQTT filter, and how to read the device id from it. */
  vendorTopic?: { filter: string; deviceId: (topic: string) => string | null; stream: DeviceStream };
  decode(input: DecodeInput): Decoded;
}

/** The reasons a codec may give; they are dead-letter reasons and /metrics labels. */
export type CodecRejectReason = Extract<
  RejectReason,
  | 'malformed_json'
  | 'schema_violation'
  | 'non_finite_number'
  | 'bad_timestamp'
  | 'timestamp_out_of_range'
  | 'unsupported_stream'
  | 'unknown_vendor_value'
>;

export class CodecError extends Error {
  constructor(
    readonly reason: CodecRejectReason,
    message: string,
  ) {
    super(message);
    this.name = 'CodecError';
  }
}

/** A JSON number that may not fit a double: an exponent of 3+ digits, or 309+ digits in a row. */
const MAYBE_OVERFLOW = /\d[eE]\+?\d{3}|\d{309}/;

export function parseJson(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CodecError('malformed_json', `payload is not JSON: ${(err as Error).message}`);
  }
  // JSON.parse turns 1e309 into Infinity; stored, it would poison every later comparison (issue 14).
  // Only a payload with a huge literal can hold one, so the common payload skips the walk.
  if (MAYBE_OVERFLOW.test(text)) {
    const where = nonFinitePath(data, '');
    if (where !== null)
      throw new CodecError(
        'non_finite_number',
        `${where || '/'} is not a finite number (it overflows a double)`,
      );
  }
  return data;
}

/** The JSON pointer of the first number that is not finite, or null. */
function nonFinitePath(value: unknown, at: string): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : at;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    const found = nonFinitePath(child, `${at}/${key}`);
    if (found !== null) return found;
  }
  return null;
}

/** Codec arithmetic on finite input can still overflow (litres × 1e3): no reading keeps such a value. */
export function checkFiniteValues(decoded: Decoded): void {
  if (decoded.type !== 'readings') return;
  for (const [i, r] of decoded.readings.entries())
    for (const [field, v] of Object.entries(r.values))
      if (!Number.isFinite(v))
        throw new CodecError('non_finite_number', `reading ${i} ${field} is not a finite number (${v})`);
}
