/** Bus payloads → engine observations. */
import type { DeviceEvent, Reading } from '../../contracts/readings.ts';
import type { Observation } from './types.ts';
import type { DeviceHealth } from '../../contracts/events.ts';

export function fromReading(r: Reading): Observation {
  return {
    source: 'reading',
    deviceId: r.deviceId,
    ts: r.ts,
    stream: r.port === null ? '' : String(r.port),
    values: r.values,
    labels: r.labels,
  };
}

/** Numeric attributes (dwell_s, object_count…) become fields next to `confidence`. */
export function fromEvent(e: DeviceEvent): Observation {
  const values: Record<string, number> = {};
  if (e.confidence !== null) values.confidence = e.confidence;
  for (const [k, v] of Object.entries(e.attributes))
    if (typeof v === 'number' && Number.isFinite(v)) values[k] = v;
  // Every event counts, even without a confidence: `count(seen, 10m)`.
  values.seen = 1;
  return {
    source: 'event',
    deviceId: e.deviceId,
    ts: e.ts,
    stream: `ev:${e.type}`,
    values,
    labels: { type: e.type },
    attributes: e.attributes,
  };
}

export function fromHealth(h: DeviceHealth, at: number): Observation {
  return {
    source: 'health',
    deviceId: h.deviceId,
    ts: at,
    stream: 'health',
    values: h.batteryPct === null ? {} : { battery_pct: h.batteryPct },
    labels: { status: h.status, cause: h.cause },
  };
}
