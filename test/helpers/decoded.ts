import type { Decoded, DecodedReading } from '../../gateway/src/codecs/codec.ts';

/** The readings of a decoded payload; fails the test when the codec decoded something else. */
export function readingsOf(decoded: Decoded): DecodedReading[] {
  if (decoded.type !== 'readings') throw new Error(`expected readings, the codec decoded ${decoded.type}`);
  return decoded.readings;
}
