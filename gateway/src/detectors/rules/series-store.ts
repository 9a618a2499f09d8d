/**
 * The engine's sample buffers, shared by every rule: one sorted list of samples per
 * (device, stream, field). Each field keeps the longest history any loaded rule asks for (plus
 * one sample before it, so a register's value at the window start is known), and never more
 * than MAX_SAMPLES, so memory is bounded whatever the traffic.
 */
import type { SiteIndex } from '../../site/site-index.ts';
import type { Device } from '../../contracts/site.ts';
import { lastIndexAtOrBefore, type Sample } from '../../../../rules/operators/windows.ts';
import type { DeviceFilter, InputSource, Observation, SeriesView } from './types.ts';

export const MAX_SAMPLES = 5000;
const EMPTY: readonly Sample[] = [];

export class SeriesStore implements SeriesView {
  private readonly series = new Map<string, Map<string, Sample[]>>();
  private readonly streamsByDevice = new Map<string, Map<InputSource, Set<string>>>();
  private readonly placeDevices = new Map<string, Device[]>();
  /** Newest event time seen per device (its watermark). */
  private readonly watermarks = new Map<string, number>();

  constructor(
    private readonly site: SiteIndex,
    /** Field -> ms of history to keep. Fields no rule uses are not kept at all. */
    private horizons: Map<string, number>,
  ) {}

  setHorizons(horizons: Map<string, number>): void {
    this.horizons = horizons;
  }

  /** Adds an observation's fields; returns false when it was already there (same ts and value). */
  add(o: Observation): boolean {
    const key = `${o.deviceId}|${o.stream}`;
    let fields = this.series.get(key);
    if (!fields) {
      fields = new Map();
      this.series.set(key, fields);
      let bySource = this.streamsByDevice.get(o.deviceId);
      if (!bySource) this.streamsByDevice.set(o.deviceId, (bySource = new Map()));
      let set = bySource.get(o.source);
      if (!set) bySource.set(o.source, (set = new Set()));
      set.add(o.stream);
    }
    let added = false;
    const put = (field: string, v: number | string): void => {
      const horizon = this.horizons.get(field);
      if (horizon === undefined) return;
      let list = fields.get(field);
      if (!list) fields.set(field, (list = []));
      added = insertSorted(list, { ts: o.ts, v }) || added;
      prune(list, horizon);
    };
    for (const [f, v] of Object.entries(o.values)) put(f, v);
    for (const [f, v] of Object.entries(o.labels)) put(f, v);
    this.watermarks.set(o.deviceId, Math.max(this.watermarks.get(o.deviceId) ?? 0, o.ts));
    return added;
  }

  watermark(deviceId: string): number | undefined {
    return this.watermarks.get(deviceId);
  }

  samples(deviceId: string, stream: string, field: string): readonly Sample[] {
    return this.series.get(`${deviceId}|${stream}`)?.get(field) ?? EMPTY;
  }

  streams(deviceId: string, source: InputSource): string[] {
    return [...(this.streamsByDevice.get(deviceId)?.get(source) ?? [])];
  }

  devicesAt(placeId: string, filter: DeviceFilter | undefined): Device[] {
    let all = this.placeDevices.get(placeId);
    if (!all) {
      all = this.site.allDevices().filter((d) => d.place === placeId);
      this.placeDevices.set(placeId, all);
    }
    if (!filter) return all;
    return all.filter(
      (d) =>
        (!filter.deviceKind || filter.deviceKind.includes(d.kind)) &&
        (!filter.device || filter.device.includes(d.id)) &&
        (!filter.tags || filter.tags.every((t) => d.tags?.includes(t))) &&
        !filter.notTags?.some((t) => d.tags?.includes(t)),
    );
  }

  /** Forgets cached place membership (devices registered at run time). */
  invalidatePlaces(): void {
    this.placeDevices.clear();
  }

  sampleCount(): number {
    let n = 0;
    for (const fields of this.series.values()) for (const list of fields.values()) n += list.length;
    return n;
  }
}

/** Inserts keeping ts order; a sample with the same ts replaces the old one. */
function insertSorted(list: Sample[], s: Sample): boolean {
  const last = list[list.length - 1];
  if (!last || last.ts < s.ts) {
    list.push(s);
    return true;
  }
  const i = lastIndexAtOrBefore(list, s.ts);
  if (i >= 0 && list[i]!.ts === s.ts) {
    const changed = list[i]!.v !== s.v;
    list[i] = s;
    return changed;
  }
  list.splice(i + 1, 0, s);
  return true;
}

function prune(list: Sample[], horizonMs: number): void {
  const newest = list[list.length - 1]!.ts;
  // Keep one sample at or before the cutoff: the register value at the window's start.
  const keepFrom = Math.max(0, lastIndexAtOrBefore(list, newest - horizonMs));
  const overflow = list.length - MAX_SAMPLES;
  const drop = Math.max(keepFrom, overflow);
  if (drop > 0) list.splice(0, drop);
}
