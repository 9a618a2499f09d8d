/**
 * Presence in the independent water scenes (issue 13): the electricity meter and the entrance
 * door of each alone household that has them, from the same daily life as the water.
 */
import { describe, expect, it } from 'vitest';
import { generateScene } from '../../field/generate.ts';
import { Rng } from '../../field/rng.ts';
import type { AbsenceTruth, CollapseTruth, Scene, SceneTruth } from '../../field/scene.ts';
import { aloneHouseholds, loadSite } from '../../field/site.ts';
import { DAY_MS, HOUR_MS, localMidnight, MINUTE_MS, SECOND_MS } from '../../field/time.ts';
import { drawLoads, UNATTENDED_LOADS, type HomeLife } from '../../field/water/presence.ts';
import { drawAbsences, drawPersona, drawUses, type Absence } from '../../field/water/routine.ts';
import { TEST_EPOCH } from '../helpers/clock.ts';
import { decodeMessage, type DecodedMessage } from './scene-decoder.ts';

const site = loadSite();
const startMs = localMidnight(TEST_EPOCH) - 6 * DAY_MS;
const SPAN = { danger: 'water' as const, seed: 3, days: 6, startMs };
const scene = generateScene(site, SPAN);
const decoded = scene.messages.map((m) => decodeMessage(site, m));
const homes = aloneHouseholds(site);
const rows = <T>(s: Scene, kind: string): T[] => s.truth.filter((t) => t.kind === kind) as T[];

/** A device's readings of one field, in event-time order: [ts, value]. */
function series(deviceId: string, field: string): Array<[number, number]> {
  return decoded
    .filter((d: DecodedMessage) => d.deviceId === deviceId && d.decoded.type === 'readings')
    .flatMap((d) => (d.decoded.type === 'readings' ? d.decoded.readings : []))
    .map((r): [number, number] => [Date.parse(String(r.ts)), r.values[field]!])
    .sort((a, b) => a[0] - b[0]);
}

describe('field water scenes: presence', () => {
  it('takes its electricity meters and door contacts from the site, for alone households only', () => {
    const meters = homes.flatMap((h) => (h.electricity ? [h.electricity.id] : []));
    const doors = homes.flatMap((h) => (h.door ? [h.door.id] : []));
    expect(meters.length).toBeGreaterThan(0);
    expect(doors.length).toBeGreaterThan(0);
    const sending = (kind: string): string[] =>
      [...new Set(decoded.map((d) => d.deviceId))]
        .filter((id) => site.devices.find((x) => x.id === id)!.kind === kind)
        .sort();
    expect(sending('electricity_meter')).toEqual([...meters].sort());
    expect(sending('door_contact')).toEqual([...doors].sort());
    const presence = (scene.truth[0] as SceneTruth).presence!;
    for (const h of homes)
      expect(presence[h.household.id], h.household.id).toEqual([
        ...(h.electricity ? ['electricity'] : []),
        ...(h.door ? ['door'] : []),
      ]);

    // A device renamed in the site file is the device the scene speaks for.
    const renamed = structuredClone(site);
    const em = renamed.devices.find((d) => d.id === meters[0])!;
    const dc = renamed.devices.find((d) => d.id === doors[0])!;
    em.id = 'field-test-meter';
    dc.id = 'field-test-door';
    const topics = new Set(generateScene(renamed, SPAN).messages.map((m) => m.topic));
    expect(topics.has('weige/field-test-meter/telemetry')).toBe(true);
    expect(topics.has('weige/field-test-door/telemetry')).toBe(true);
    expect(topics.has(`weige/${meters[0]}/telemetry`)).toBe(false);
  });

  it('is deterministic per seed and leaves the water of a seed as it was', () => {
    expect(generateScene(site, SPAN)).toEqual(scene);
    const other = generateScene(site, { ...SPAN, seed: 4 });
    const power = (s: Scene): string[] =>
      s.messages.filter((m) => m.topic.includes('/em-')).map((m) => m.payload);
    expect(power(other)).not.toEqual(power(scene));
    // The water meters' messages do not depend on whether a household has presence devices.
    const bare = structuredClone(site);
    bare.devices = bare.devices.filter((d) => d.kind !== 'electricity_meter' && d.kind !== 'door_contact');
    const water = (s: Scene): Scene['messages'] =>
      s.messages.filter((m) => {
        const id = decodeMessage(site, m).deviceId;
        return site.devices.find((d) => d.id === id)!.kind === 'water_meter';
      });
    expect(water(generateScene(bare, SPAN))).toEqual(water(scene));
  });

  it('a meter reports its register on the clock at one cadence of 15, 30 or 60 min, few readings lost', () => {
    for (const h of homes.filter((x) => x.electricity)) {
      const readings = series(h.electricity!.id, 'total_kwh');
      const steps = readings.slice(1).map(([ts], i) => ts - readings[i]![0]);
      const cadence = Math.min(...steps);
      expect(
        [15, 30, 60].map((m) => m * MINUTE_MS),
        h.electricity!.id,
      ).toContain(cadence);
      expect(readings.every(([ts]) => (ts - startMs) % cadence === 0)).toBe(true);
      // Up to 5 % lost, some held back past the scene's end; a batch lost takes up to 4 readings.
      expect(readings.length).toBeGreaterThanOrEqual(0.75 * ((6 * DAY_MS) / cadence));
      expect(readings.every(([, kwh], i) => i === 0 || kwh >= readings[i - 1]![1])).toBe(true);
    }
  });

  it('an outing shows two door openings, at leaving and at coming back, and nothing between', () => {
    const outings = rows<AbsenceTruth>(scene, 'absence').filter(
      (a) => a.cause === 'outing' && homes.find((h) => h.household.id === a.household)?.door,
    );
    expect(outings.length).toBeGreaterThan(5);
    let both = 0;
    for (const a of outings) {
      const door = homes.find((h) => h.household.id === a.household)!.door!.id;
      const openings = series(door, 'door_open')
        .filter(([ts, open]) => open === 1 && ts >= a.ts && ts <= a.endTs)
        .map(([ts]) => ts);
      expect(
        openings.every((ts) => ts === a.ts || ts === a.endTs),
        a.id,
      ).toBe(true);
      if (openings.length === 2) both++;
    }
    // Door contacts lose 0–2 % of their messages.
    expect(both / outings.length).toBeGreaterThanOrEqual(0.9);
  });

  it('an empty home draws only the fridge and a water heater keeping warm', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = new Rng(seed);
      const persona = drawPersona(r);
      const absences: Absence[] = [
        { ts: startMs + DAY_MS + 9 * HOUR_MS, endTs: startMs + DAY_MS + 14 * HOUR_MS, cause: 'outing' },
        {
          ts: startMs + 2 * DAY_MS + 10 * HOUR_MS,
          endTs: startMs + 4 * DAY_MS + 11 * HOUR_MS,
          cause: 'night_away',
        },
        ...drawAbsences(r, persona, startMs + 5 * DAY_MS, 1),
      ];
      const { uses, days } = drawUses(r, persona, absences, startMs, 6, Number.POSITIVE_INFINITY);
      const life: HomeLife = { startMs, endMs: startMs + 6 * DAY_MS, days, uses, absences, stopTs: Infinity };
      const { loads, leftOn } = drawLoads(r, life);
      expect(leftOn).toBeNull();
      for (const a of absences) {
        const during = loads.filter((l) => l.ts < a.endTs && l.endTs > a.ts);
        expect(during.some((l) => l.what === 'fridge')).toBe(true);
        expect(during.filter((l) => !UNATTENDED_LOADS.includes(l.what))).toEqual([]);
      }
      // At home and awake, the person switches things on every day.
      const used = loads.filter((l) => !UNATTENDED_LOADS.includes(l.what) && l.ts >= startMs + 5 * DAY_MS);
      expect(used.length, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it('after a collapse the door never opens, and the meter shows the standby or what was left on', () => {
    const collapses = rows<CollapseTruth>(scene, 'collapse');
    const withDoor = collapses.filter((c) => homes.find((h) => h.household.id === c.household)!.door);
    expect(withDoor.length).toBeGreaterThan(0);
    for (const c of withDoor) {
      const door = homes.find((h) => h.household.id === c.household)!.door!.id;
      expect(
        series(door, 'door_open').filter(([ts]) => ts >= c.ts),
        c.id,
      ).toEqual([]);
      expect(series(door, 'door_open').filter(([ts]) => ts < c.ts).length).toBeGreaterThan(0);
    }
    // Nothing left on: standby ≤ 30 W, a fridge ≤ 150 W at ≤ 60 % duty, keep-warm ≤ 3 kW for
    // ≤ 10 min every ≥ 3.2 h. Measured between the first and last readings after the collapse.
    const metered = collapses.filter((c) => homes.find((h) => h.household.id === c.household)!.electricity);
    const nothingOn = metered.filter((c) => !c.leftOn);
    expect(nothingOn.length).toBeGreaterThan(0);
    for (const c of nothingOn) {
      const meter = homes.find((h) => h.household.id === c.household)!.electricity!.id;
      const after = series(meter, 'total_kwh').filter(([ts]) => ts >= c.ts + SECOND_MS);
      expect(after.length, c.id).toBeGreaterThan(1);
      const kwh = after.at(-1)![1] - after[0]![1];
      const hours = (after.at(-1)![0] - after[0]![0]) / HOUR_MS;
      expect((kwh * 1000) / hours, c.id).toBeLessThan(30 + 150 * 0.6 + (3000 * 10) / (3.2 * 60) + 10);
    }
  });

  it('a collapse leaves lights or the TV on in some homes, and nothing the person would switch', () => {
    const left: Array<string | null> = [];
    for (let seed = 1; seed <= 20; seed++) {
      const r = new Rng(seed);
      const persona = drawPersona(r);
      const stopTs = startMs + 3 * DAY_MS + r.uniform(8, 20) * HOUR_MS;
      const { uses, days } = drawUses(r, persona, [], startMs, 6, stopTs);
      const life: HomeLife = { startMs, endMs: startMs + 6 * DAY_MS, days, uses, absences: [], stopTs };
      const { loads, leftOn } = drawLoads(r, life);
      left.push(leftOn);
      const after = loads.filter((l) => l.endTs > stopTs && !UNATTENDED_LOADS.includes(l.what));
      expect(
        after.map((l) => [l.what, l.ts]),
        `seed ${seed}`,
      ).toEqual(leftOn ? [[leftOn, stopTs]] : []);
    }
    expect(left).toContain(null);
    expect(left.some((x) => x === 'lights' || x === 'tv')).toBe(true);
  });
});
