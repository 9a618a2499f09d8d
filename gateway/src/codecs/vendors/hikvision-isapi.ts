/**
 * Camera events in the shape of Hikvision ISAPI event notifications (JSON alarm push), on
 * `weige/{deviceId}/event`. Target rectangles are normalised to 0–1000; confidence is 0–100.
 *
 *   {"ipAddress":"10.0.3.21","channelID":1,"dateTime":"2026-11-22T07:00:00+08:00",
 *    "eventType":"highAltitudeThrowing","eventState":"active","confidence":91,
 *    "targetRect":{"x":420,"y":60,"width":20,"height":15},"picUrl":"…","videoUrl":"…"}
 */
import { CodecError, parseJson, type Codec, type Decoded } from '../codec.ts';
import { schemaChecker } from '../schema-check.ts';

const EVENT_TYPES: Record<string, string> = {
  highAltitudeThrowing: 'falling_object',
  garbageDropping: 'littering',
  fireEscapeDetection: 'fire_lane_blocked',
  smokeDetection: 'smoke',
  fireDetection: 'flame',
  personFall: 'person_fall',
};

const check = schemaChecker<{
  dateTime: string;
  eventType: string;
  eventState: string;
  confidence?: number;
  targetRect?: { x: number; y: number; width: number; height: number };
  picUrl?: string;
  videoUrl?: string;
  dwellTime?: number;
}>({
  type: 'object',
  required: ['dateTime', 'eventType', 'eventState'],
  properties: {
    dateTime: { type: 'string', minLength: 19 },
    eventType: { type: 'string' },
    eventState: { enum: ['active', 'inactive'] },
    confidence: { type: 'number', minimum: 0, maximum: 100 },
    targetRect: {
      type: 'object',
      required: ['x', 'y', 'width', 'height'],
      properties: {
        x: { type: 'number' },
        y: { type: 'number' },
        width: { type: 'number' },
        height: { type: 'number' },
      },
    },
    picUrl: { type: 'string' },
    videoUrl: { type: 'string' },
    dwellTime: { type: 'number', minimum: 0 },
  },
});

export const hikvisionIsapiCodec: Codec = {
  id: 'hikvision-isapi',
  description:
    'Camera events shaped like Hikvision ISAPI JSON alarm pushes (normalised rects, 0–100 confidence)',
  kinds: ['camera'],
  streams: ['event'],
  decode({ payload, device }): Decoded {
    const p = check(parseJson(payload));
    const type = EVENT_TYPES[p.eventType];
    if (!type)
      throw new CodecError('unknown_vendor_value', `eventType '${p.eventType}' has no Weige mapping`);
    // A heartbeat-like "inactive" state ends an event; only active ones are detections.
    if (p.eventState !== 'active') return { type: 'events', events: [] };
    const frame = device.calibration?.frame ?? { w: 1920, h: 1080 };
    const r = p.targetRect;
    const attributes: Record<string, unknown> = {};
    if (r) {
      attributes.bbox = [
        Math.round(((r.x + r.width / 2) / 1000) * frame.w),
        Math.round(((r.y + r.height / 2) / 1000) * frame.h),
        Math.round((r.width / 1000) * frame.w),
        Math.round((r.height / 1000) * frame.h),
      ];
    }
    if (p.picUrl) attributes.snapshot_url = p.picUrl;
    if (p.videoUrl) attributes.clip_url = p.videoUrl;
    if (p.dwellTime !== undefined) attributes.dwell_s = p.dwellTime;
    return {
      type: 'events',
      events: [
        {
          ts: p.dateTime,
          type,
          confidence: p.confidence === undefined ? null : p.confidence / 100,
          attributes,
        },
      ],
    };
  },
};
