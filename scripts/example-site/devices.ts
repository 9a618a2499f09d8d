/**
 * What is installed: the bike sheds, garbage rooms and fire lanes (places), and every device —
 * water meters, shed smoke, heat and charging controllers, façade and place cameras, and the
 * presence meters and door contacts of watched residents in the high-rises.
 */
import { pinholeFacadeHomography } from '../../simulators/camera/projection.ts';
import { bg, HIGH_RISES, type Household } from './estate.ts';

/** The pinhole façade homography, rounded to 10 significant digits for the YAML. */
function facadeHomography(
  distanceM: number,
  heightM: number,
  pitchDeg: number,
  centreXM: number,
): number[][] {
  return pinholeFacadeHomography(distanceM, heightM, pitchDeg, centreXM).map((row) =>
    row.map((v) => Number(v.toPrecision(10))),
  );
}

/** Each shed drawn just below the building it belongs to (its location names that building). */
const SHEDS = [
  { id: 'shed-1', building: 'B2', name: '1号非机动车棚', x: 90, y: 45 },
  { id: 'shed-2', building: 'B7', name: '2号非机动车棚', x: 90, y: 115 },
  { id: 'shed-3', building: 'B12', name: '3号非机动车棚', x: 80, y: 200 },
];
export type Place = ReturnType<typeof makePlaces>[number];

export function makePlaces() {
  return [
    ...SHEDS.map((s) => ({
      id: s.id,
      kind: 'bike_shed',
      name: { 'zh-CN': s.name, en: `Bike shed ${s.id.slice(-1)}` },
      grid: bg(s.building),
      building: s.building,
      plan: { x: s.x, y: s.y, w: 24, h: 10 },
    })),
    ...['B1', 'B6', 'B10'].map((b, i) => ({
      id: `garbage-${i + 1}`,
      kind: 'garbage_room',
      name: { 'zh-CN': `${i + 1}号垃圾厢房`, en: `Garbage room ${i + 1}` },
      grid: bg(b),
      building: b,
      plan: { x: 10 + i * 110, y: 5, w: 10, h: 8 },
    })),
    ...['B4', 'B11'].map((b, i) => ({
      id: `fire-lane-${i + 1}`,
      kind: 'fire_lane',
      name: { 'zh-CN': `${i + 1}号消防通道`, en: `Fire lane ${i + 1}` },
      grid: bg(b),
      building: b,
      plan: { x: 5 + i * 200, y: 150, w: 40, h: 6 },
    })),
  ];
}

export function makeDevices(households: readonly Household[], places: readonly Place[]) {
  const watched = households.filter((h) => h.livesAlone);
  return [
    // NB-IoT meters on the walk-ups report a daily batch through the Sanchuan codec; the high-rises
    // have newer meters that report canonical hourly readings.
    ...households.map((h) => ({
      id: `wm-${h.id}`,
      kind: 'water_meter',
      codec: HIGH_RISES.has(h.building) ? 'canonical' : 'sanchuan-nbiot',
      household: h.id,
      reportIntervalS: HIGH_RISES.has(h.building) ? 3600 : 86400,
      tags: h.livesAlone ? ['lives_alone'] : [],
    })),
    ...SHEDS.flatMap((s, i) => [
      {
        id: `smoke-${s.id}`,
        kind: 'smoke_sensor',
        codec: i === 2 ? 'ctwing-smoke' : 'canonical',
        place: s.id,
        reportIntervalS: 60,
      },
      {
        id: `heat-${s.id}`,
        kind: 'smoke_sensor',
        codec: 'canonical',
        place: s.id,
        reportIntervalS: 60,
        tags: ['second_sensor'],
      },
      {
        id: `charger-${s.id}`,
        kind: 'charging_controller',
        codec: i === 1 ? 'weilai-charger' : 'canonical',
        place: s.id,
        ports: 20,
        reportIntervalS: 60,
      },
    ]),
    ...[
      ['B3', 'east', 0],
      ['B11', 'south', 1],
      ['B12', 'east', 2],
    ].map(([b, facade, i]) => ({
      id: `cam-${String(b).toLowerCase()}-${facade}`,
      kind: 'camera',
      codec: i === 1 ? 'hikvision-isapi' : 'canonical',
      building: String(b),
      facade: String(facade),
      // No reportIntervalS: cameras speak only when something moves, so silence is normal for
      // them; their liveness is the MQTT connection, judged by its will on the status topic.
      calibration: { homography: facadeHomography(30, 1.5, 30, 12), fps: 25, frame: { w: 1080, h: 1920 } },
    })),
    ...places
      .filter((p) => p.kind !== 'bike_shed')
      .map((p) => ({
        id: `cam-${p.id}`,
        kind: 'camera',
        codec: 'canonical',
        place: p.id,
      })),
    // Presence for the watched residents in the high-rises (issue 13): the household's smart
    // electricity meter (every 30 min) and, in every other one, an entrance door contact, which
    // speaks only when the door moves (no reportIntervalS).
    ...watched
      .filter((h) => HIGH_RISES.has(h.building))
      .flatMap((h, i) => [
        {
          id: `em-${h.id}`,
          kind: 'electricity_meter',
          codec: 'canonical',
          household: h.id,
          reportIntervalS: 1800,
        },
        ...(i % 2 === 0
          ? [{ id: `dc-${h.id}`, kind: 'door_contact', codec: 'canonical', household: h.id }]
          : []),
      ]),
  ];
}
