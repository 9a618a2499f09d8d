/**
 * Chunjiang's layout: 13 buildings (three high-rises), their 383 households and the grid tree from
 * the street down to building groups.
 */
import type { Random } from './random.ts';

const FLOOR_HEIGHT_M = 2.8;
export const HIGH_RISES = new Set(['B3', 'B11', 'B12']);
export const MICRO_GRIDS: Record<string, string[]> = {
  'mg-chunjiang-1': ['B1', 'B2', 'B4', 'B5'],
  'mg-chunjiang-2': ['B6', 'B7', 'B8', 'B9'],
  'mg-chunjiang-3': ['B3', 'B10', 'B11', 'B12', 'B13'],
};
/** The building group a building belongs to. */
export const bg = (b: string): string => `bg-${b.toLowerCase()}`;

export type Building = ReturnType<typeof makeBuildings>[number];
export type Household = ReturnType<typeof makeHouseholds>[number];

export function makeBuildings() {
  return Array.from({ length: 13 }, (_, i) => {
    const id = `B${i + 1}`;
    const high = HIGH_RISES.has(id);
    const col = i % 5;
    const row = Math.floor(i / 5);
    return {
      id,
      name: { 'zh-CN': `${i + 1}号楼`, en: `Building ${i + 1}` },
      grid: bg(id),
      floors: high ? 14 : 6,
      floorHeightM: FLOOR_HEIGHT_M,
      units: high ? ['1'] : ['1', '2'],
      facades: high
        ? [
            { id: 'east', widthM: 24, windowColumns: 4 },
            { id: 'south', widthM: 24, windowColumns: 4 },
          ]
        : [{ id: 'south', widthM: 36, windowColumns: 4 }],
      plan: { x: 20 + col * 60, y: 20 + row * 70, w: high ? 30 : 45, h: high ? 30 : 14 },
    };
  });
}

// 3 high-rises × 14 floors × 4 flats + 10 walk-ups × 6 floors × 2 units × 2 flats = 408 flats;
// 25 ground-floor flats in the walk-ups are shops or storage, leaving Chunjiang's 383 households.
const NOT_HOMES = new Set<string>();
for (const b of ['B1', 'B2', 'B4', 'B5', 'B6', 'B7'])
  for (const u of ['1', '2']) for (const r of ['01', '02']) NOT_HOMES.add(`${b}-${u}-1${r}`);
NOT_HOMES.add('B8-1-101');

/** Every flat that is a home, with its residents drawn from `rand`. */
export function makeHouseholds(buildings: readonly Building[], rand: Random) {
  const households = buildings
    .flatMap((b) =>
      b.units.flatMap((unit) =>
        Array.from({ length: b.floors }, (_, f) => f + 1).flatMap((floor) =>
          (b.units.length === 1 ? ['01', '02', '03', '04'] : ['01', '02']).map((flat) => {
            const room = `${floor}${flat}`;
            const id = `${b.id}-${unit}-${room}`;
            if (NOT_HOMES.has(id)) return null;
            const r = rand();
            // Old estate: about a quarter of households are elderly people living alone.
            const livesAlone = r < 0.13;
            const elderly = livesAlone || rand() < 0.55;
            const residents = livesAlone ? 1 : 1 + Math.floor(rand() * 4);
            return {
              id,
              building: b.id,
              unit,
              floor,
              room,
              grid: b.grid,
              residents,
              elderly,
              livesAlone,
              ...(livesAlone
                ? {
                    contacts: [
                      {
                        name: '家属',
                        relation: '子女',
                        phone: `1380000${String(Math.floor(rand() * 10000)).padStart(4, '0')}`,
                      },
                    ],
                  }
                : {}),
            };
          }),
        ),
      ),
    )
    .filter((h): h is NonNullable<typeof h> => h !== null);

  if (households.length !== 383) throw new Error(`expected 383 households, made ${households.length}`);
  return households;
}

/** The grid tree: street, block, neighbourhood, the three micro-grids and their building groups. */
export function makeGrid() {
  return {
    id: 'wuliqiao',
    level: 'street',
    name: { 'zh-CN': '五里桥街道', en: 'Wuliqiao Subdistrict' },
    children: [
      {
        id: 'longhua-block',
        level: 'block',
        name: { 'zh-CN': '龙华街区', en: 'Longhua Block' },
        children: [
          {
            id: 'longhua',
            level: 'neighbourhood',
            name: { 'zh-CN': '春江居民区', en: 'Chunjiang Neighbourhood' },
            children: Object.entries(MICRO_GRIDS).map(([mg, bs], i) => ({
              id: mg,
              level: 'micro_grid',
              name: { 'zh-CN': `春江第${'一二三'[i]}微网格`, en: `Chunjiang micro-grid ${i + 1}` },
              children: bs.map((b) => ({
                id: bg(b),
                level: 'building_group',
                name: { 'zh-CN': `${b.slice(1)}号楼楼组`, en: `Building ${b.slice(1)} group` },
              })),
            })),
          },
        ],
      },
    ],
  };
}
