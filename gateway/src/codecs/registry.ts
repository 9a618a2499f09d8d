/**
 * The codec registry. Adding a vendor format = one file in vendors/ plus one line here.
 * Selection: a vendor topic names its codec; on `weige/{id}/{stream}` the device's `codec`
 * decides, falling back to canonical for streams the vendor codec does not handle.
 */
import type { Device } from '../contracts/site.ts';
import { topicMatches, type DeviceStream } from '../contracts/topics.ts';
import { canonicalCodec } from './canonical.ts';
import type { Codec } from './codec.ts';
import { ctwingSmokeCodec } from './vendors/ctwing-smoke.ts';
import { hikvisionIsapiCodec } from './vendors/hikvision-isapi.ts';
import { sanchuanNbiotCodec } from './vendors/sanchuan-nbiot.ts';
import { weilaiChargerCodec } from './vendors/weilai-charger.ts';

export const BUILT_IN_CODECS: Codec[] = [
  canonicalCodec,
  sanchuanNbiotCodec,
  ctwingSmokeCodec,
  weilaiChargerCodec,
  hikvisionIsapiCodec,
];

export interface VendorTopicMatch {
  codec: Codec;
  deviceId: string;
  stream: DeviceStream;
}

export class CodecRegistry {
  private readonly byId: Map<string, Codec>;

  constructor(codecs: Codec[] = BUILT_IN_CODECS) {
    this.byId = new Map(codecs.map((c) => [c.id, c]));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  list(): Codec[] {
    return [...this.byId.values()];
  }

  /** The codec for a message on a canonical topic from this device. */
  forDevice(device: Device, stream: DeviceStream): Codec {
    const codec = this.byId.get(device.codec ?? 'canonical');
    return codec && codec.streams.includes(stream) ? codec : canonicalCodec;
  }

  /** Vendor topic filters the gateway must subscribe to. */
  vendorFilters(): string[] {
    return [...new Set(this.list().flatMap((c) => (c.vendorTopic ? [c.vendorTopic.filter] : [])))];
  }

  matchVendorTopic(topic: string): VendorTopicMatch | null {
    for (const codec of this.byId.values()) {
      const vt = codec.vendorTopic;
      if (!vt || !topicMatches(vt.filter, topic)) continue;
      const deviceId = vt.deviceId(topic);
      if (deviceId) return { codec, deviceId, stream: vt.stream };
    }
    return null;
  }
}
