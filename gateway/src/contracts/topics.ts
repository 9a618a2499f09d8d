/** Topic names from shared/CONTRACT.md, built and parsed in one place. */

export const DEVICE_STREAMS = ['telemetry', 'event', 'track', 'status', 'command/result'] as const;
export type DeviceStream = (typeof DEVICE_STREAMS)[number];

/** Filters the gateway subscribes to for device traffic on the canonical topics. */
export const DEVICE_TOPIC_FILTERS = [
  'weige/+/telemetry',
  'weige/+/event',
  'weige/+/track',
  'weige/+/status',
  'weige/+/command/result',
] as const;

export interface DeviceTopic {
  deviceId: string;
  stream: DeviceStream;
}

/** Reserved second levels that are not device ids. */
const RESERVED = new Set(['alerts', 'incidents', 'flows', 'sites']);

export function parseDeviceTopic(topic: string): DeviceTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== 'weige' || parts.length < 3 || parts.length > 4) return null;
  const deviceId = parts[1]!;
  if (!deviceId || RESERVED.has(deviceId)) return null;
  const stream = parts.slice(2).join('/');
  return (DEVICE_STREAMS as readonly string[]).includes(stream)
    ? { deviceId, stream: stream as DeviceStream }
    : null;
}

export const topics = {
  device: (deviceId: string, stream: DeviceStream): string => `weige/${deviceId}/${stream}`,
  command: (deviceId: string): string => `weige/${deviceId}/command`,
  alert: (siteId: string, kind: string): string => `weige/alerts/${siteId}/${kind}`,
  incident: (siteId: string, incidentId: string): string => `weige/incidents/${siteId}/${incidentId}`,
  /** Detections raised from Node-RED flows (service accounts only). */
  flowDetection: (flowId: string): string => `weige/flows/${flowId}/detection`,
};

/** MQTT topic-filter matching with `+` and `#` ([MQTT-4.7.1]). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true; // also matches the parent level itself [MQTT-4.7.1-2]
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
