/**
 * Decodes a generated scene's messages the way the gateway's ingest picks codecs: a vendor topic
 * names its codec, `weige/{id}/{stream}` uses the device's codec (canonical for other streams).
 */
import type { Decoded } from '../../gateway/src/codecs/codec.ts';
import { CodecRegistry } from '../../gateway/src/codecs/registry.ts';
import { toEpochMs } from '../../gateway/src/codecs/timestamps.ts';
import type { Site } from '../../gateway/src/contracts/site.ts';
import { parseDeviceTopic } from '../../gateway/src/contracts/topics.ts';
import type { SceneMessage } from '../../field/scene.ts';

const registry = new CodecRegistry();

export interface DecodedMessage {
  message: SceneMessage;
  deviceId: string;
  decoded: Decoded;
}

export function decodeMessage(site: Site, message: SceneMessage): DecodedMessage {
  const vendor = registry.matchVendorTopic(message.topic);
  const parsed = vendor ?? parseDeviceTopic(message.topic);
  if (!parsed) throw new Error(`topic ${message.topic} is neither canonical nor a vendor topic`);
  const device = site.devices.find((d) => d.id === parsed.deviceId);
  if (!device) throw new Error(`topic ${message.topic} names no device of the site`);
  const codec = vendor?.codec ?? registry.forDevice(device, parsed.stream);
  const payload = Buffer.from(message.payload, 'utf8');
  const decoded = codec.decode({ topic: message.topic, stream: parsed.stream, payload, device });
  return { message, deviceId: device.id, decoded };
}

/** Event times of everything a decoded message carries, epoch ms (throws on a refused stamp). */
export function eventTimes(d: Decoded): number[] {
  switch (d.type) {
    case 'readings':
      return d.readings.map((r) => toEpochMs(r.ts));
    case 'events':
      return d.events.map((e) => toEpochMs(e.ts));
    case 'track':
      return [toEpochMs(d.track.startTs, 'start_ts')];
    default:
      return [];
  }
}

/** Water-meter registers of one device, in event-time order: [ts, total_m3]. */
export function registers(decoded: DecodedMessage[], deviceId: string): Array<[number, number]> {
  return decoded
    .filter((d) => d.deviceId === deviceId && d.decoded.type === 'readings')
    .flatMap((d) => (d.decoded.type === 'readings' ? d.decoded.readings : []))
    .map((r): [number, number] => [toEpochMs(r.ts), r.values.total_m3!])
    .sort((a, b) => a[0] - b[0]);
}
