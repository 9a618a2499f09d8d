/**
 * What a codec is: a declarative object with a pure decode (herdsman-converters style).
 * Codecs turn one raw payload into canonical data, or throw a CodecError naming what is wrong.
 * They do no I/O and touch no bus or store; the ingest stage validates, stores and publishes.
 */
import type { DeviceKind, PortState } from '../contracts/readings.ts';
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

/** Machine-readable reasons; they are the dead-letter reasons and the /metrics labels. */
export type RejectReason =
  'malformed_json' | 'schema_violation' | 'bad_timestamp' | 'unsupported_stream' | 'unknown_vendor_value';

export class CodecError extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
    this.name = 'CodecError';
  }
}

export function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new CodecError('malformed_json', `payload is not JSON: ${(err as Error).message}`);
  }
}

export const PORT_STATE_SET: ReadonlySet<string> = new Set<PortState>([
  'idle',
  'charging',
  'full',
  'fault',
  'off',
]);
