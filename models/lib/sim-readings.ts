/**
 * Simulator wire messages → canonical readings, through the gateway's own topic parser and
 * codecs (the same decoding ingest does), so models train on exactly what the bus will carry.
 */
import type { SiteIndex } from '../../gateway/src/site/site-index.ts';
import { CodecRegistry } from '../../gateway/src/codecs/registry.ts';
import type { Reading } from '../../gateway/src/contracts/readings.ts';
import { parseDeviceTopic } from '../../gateway/src/contracts/topics.ts';
import { toEpochMs } from '../../gateway/src/codecs/timestamps.ts';
import type { SimMessage } from '../../simulators/core/types.ts';

const codecs = new CodecRegistry();

/** Readings in one message; [] for anything else (status, command results, bad payloads). */
export function readingsOf(site: SiteIndex, message: SimMessage): Reading[] {
  const canonical = parseDeviceTopic(message.topic);
  const vendor = canonical ? null : codecs.matchVendorTopic(message.topic);
  const route = canonical ?? vendor;
  if (!route) return [];
  const device = site.device(route.deviceId);
  if (!device) return [];
  const codec = vendor?.codec ?? codecs.forDevice(device, route.stream);
  try {
    const decoded = codec.decode({
      topic: message.topic,
      stream: route.stream,
      payload: Buffer.from(message.payload),
      device,
    });
    if (decoded.type !== 'readings') return [];
    return decoded.readings.map((r) => ({
      siteId: site.siteId,
      deviceId: device.id,
      kind: device.kind,
      ts: toEpochMs(r.ts),
      port: r.port,
      values: r.values,
      labels: r.labels,
    }));
  } catch {
    return [];
  }
}
