/** A message's payload through its codec: the codec's own errors, or any failure as `codec_error`. */
import { CodecError, checkFiniteValues, type Codec, type Decoded } from '../codecs/codec.ts';
import type { DeviceStream } from '../contracts/topics.ts';
import type { Device } from '../contracts/site.ts';
import type { InboundMessage } from '../transport/transport.ts';
import { Rejection } from './reading-checks.ts';

/** Streams that raise alerts directly (camera events and tracks): committed on the urgent lane. */
const URGENT_STREAMS: ReadonlySet<DeviceStream> = new Set(['event', 'track']);

export function isUrgentStream(stream: DeviceStream): boolean {
  return URGENT_STREAMS.has(stream);
}

export function decodeMessage(
  codec: Codec,
  msg: InboundMessage,
  stream: DeviceStream,
  device: Device,
): Decoded {
  try {
    const decoded = codec.decode({ topic: msg.topic, stream, payload: msg.payload, device });
    checkFiniteValues(decoded);
    return decoded;
  } catch (err) {
    if (err instanceof CodecError) throw err;
    // A vendor codec bug must not look like a gateway crash: it is that message's problem.
    throw new Rejection(
      'codec_error',
      `codec '${codec.id}' failed: ${(err as Error)?.message ?? String(err)}`,
    );
  }
}
