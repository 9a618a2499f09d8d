/**
 * Generates sites/chunjiang.yaml, the example community modelled on Chunjiang (春江小区):
 * 13 buildings, 383 households, three micro-grids, three bike sheds with charging controllers,
 * façade cameras on the three high-rises, garbage rooms and fire lanes with cameras.
 * Deterministic (fixed seed); rerun after changing it: `npx tsx scripts/generate-example-site.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { hashPassword } from '../gateway/src/core/passwords.ts';
import { REPO_ROOT } from '../gateway/src/config/settings.ts';
import { DEFAULT_ESCALATION, DEFAULT_PLAYBOOKS, DEFAULT_ROUTING } from '../gateway/src/alerting/config.ts';
import { pinholeFacadeHomography } from '../simulators/camera/projection.ts';
import { DEFAULT_FIELD_ROLES, DEFAULT_RETENTION } from '../gateway/src/privacy/config.ts';

/** Demo passwords, documented in the README. */
export const DEMO_STAFF_PASSWORD = 'weige-demo';
export const DEMO_DEVICE_PASSWORD = 'weige-device';
export const DEMO_SERVICE_PASSWORD = 'weige-service';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20261125);

const FLOOR_HEIGHT_M = 2.8;
const HIGH_RISES = new Set(['B3', 'B11', 'B12']);
const MICRO_GRIDS: Record<string, string[]> = {
  'mg-chunjiang-1': ['B1', 'B2', 'B4', 'B5'],
  'mg-chunjiang-2': ['B6', 'B7', 'B8', 'B9'],
  'mg-chunjiang-3': ['B3', 'B10', 'B11', 'B12', 'B13'],
};
const bg = (b: string): string => `bg-${b.toLowerCase()}`;

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

const buildings = Array.from({ length: 13 }, (_, i) => {
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

// 3 high-rises × 14 floors × 4 flats + 10 walk-ups × 6 floors × 2 units × 2 flats = 408 flats;
// 25 ground-floor flats in the walk-ups are shops or storage, leaving Chunjiang's 383 households.
const NOT_HOMES = new Set<string>();
for (const b of ['B1', 'B2', 'B4', 'B5', 'B6', 'B7'])
  for (const u of ['1', '2']) for (const r of ['01', '02']) NOT_HOMES.add(`${b}-${u}-1${r}`);
NOT_HOMES.add('B8-1-101');

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

// The watched residents (独居老人): demo names, phones and notes from their own seed, so the rest
// of the site stays as it was; each signed a consent form (issue 18), some through a guardian.
const residentRand = mulberry32(20261203);
const GIVEN = ['桂英', '秀兰', '玉珍', '凤英', '建国', '德明', '淑华', '志强', '美娟', '国庆'];
const NOTES = ['高血压，每日服药', '行动不便，使用助行器', '听力较弱，敲门请用力', '糖尿病', ''];
const RESIDENT_SURNAMES = ['张', '王', '李', '陈', '刘', '沈', '顾', '周'];
const pick = <T>(xs: T[]): T => xs[Math.floor(residentRand() * xs.length)]!;
const microGridOf = (building: string): number =>
  Object.values(MICRO_GRIDS).findIndex((bs) => bs.includes(building)) + 1;
const watched = households.filter((h) => h.livesAlone);
const residents = new Map(
  watched.map((h) => {
    const note = pick(NOTES);
    return [
      h.id,
      {
        name: `${pick(RESIDENT_SURNAMES)}${pick(GIVEN)}`,
        phone: `138${String(Math.floor(residentRand() * 1e8)).padStart(8, '0')}`,
        ...(note ? { healthNote: note } : {}),
        careWorker: `mg${microGridOf(h.building)}-care-a`,
      },
    ];
  }),
);
const consents = watched.map((h, i) => ({
  household: h.id,
  // Every fifth form was signed by a guardian (监护人) for a resident who could not sign.
  ...(i % 5 === 4
    ? { by: 'guardian', signer: `${residents.get(h.id)!.name.slice(0, 1)}家属` }
    : { by: 'resident' }),
  monitoring: 'round_the_clock',
  shareWithFamily: true,
  shareWithStreet: i % 3 === 0,
  at: '2026-01-15T10:00:00+08:00',
  form: `CJ-2026-${String(i + 1).padStart(3, '0')}`,
}));

const SHEDS = [
  { id: 'shed-1', building: 'B2', name: '1号非机动车棚', x: 140, y: 100 },
  { id: 'shed-2', building: 'B7', name: '2号非机动车棚', x: 200, y: 170 },
  { id: 'shed-3', building: 'B12', name: '3号非机动车棚', x: 260, y: 240 },
];
const places = [
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

const devices = [
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

const grid = {
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

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '周',
  '吴',
  '徐',
  '孙',
  '朱',
  '马',
  '胡',
  '郭',
  '林',
  '何',
];
let nameIndex = 0;
const person = (given: string): string => `${SURNAMES[nameIndex++ % SURNAMES.length]}${given}`;
const phone = (): string => `139${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
type StaffSpec = { id: string; given: string; roles: string[]; grid: string; onCall?: 'A' | 'B' };
const staffSpecs: StaffSpec[] = [
  { id: 'street-duty', given: '值班', roles: ['micro_grid_leader'], grid: 'wuliqiao' },
  { id: 'block-duty', given: '街区', roles: ['micro_grid_leader'], grid: 'longhua-block' },
  { id: 'property', given: '物业', roles: ['property_manager'], grid: 'longhua', onCall: 'A' },
  { id: 'property-b', given: '物业副', roles: ['property_manager'], grid: 'longhua', onCall: 'B' },
  { id: 'engineer', given: '工程', roles: ['engineer'], grid: 'wuliqiao' },
  { id: 'admin', given: '管理', roles: ['admin'], grid: 'wuliqiao' },
];
Object.keys(MICRO_GRIDS).forEach((mg, i) => {
  const n = i + 1;
  staffSpecs.push(
    { id: `mg${n}-leader`, given: '网格长', roles: ['micro_grid_leader', 'grid_worker'], grid: mg },
    { id: `mg${n}-worker-a`, given: '网格员', roles: ['grid_worker'], grid: mg, onCall: 'A' },
    { id: `mg${n}-worker-b`, given: '网格员', roles: ['grid_worker'], grid: mg, onCall: 'B' },
    { id: `mg${n}-responder-a`, given: '处置员', roles: ['emergency_responder'], grid: mg, onCall: 'A' },
    { id: `mg${n}-responder-b`, given: '处置员', roles: ['emergency_responder'], grid: mg, onCall: 'B' },
    { id: `mg${n}-care-a`, given: '关怀员', roles: ['special_care'], grid: mg, onCall: 'A' },
    { id: `mg${n}-care-b`, given: '关怀员', roles: ['special_care'], grid: mg, onCall: 'B' },
    { id: `mg${n}-patrol-a`, given: '巡查员', roles: ['patrol_inspector'], grid: mg, onCall: 'A' },
    { id: `mg${n}-patrol-b`, given: '巡查员', roles: ['patrol_inspector'], grid: mg, onCall: 'B' },
  );
});
staffSpecs.push({ id: 'bg-b3-leader', given: '楼组长', roles: ['building_group_leader'], grid: 'bg-b3' });
// The street's control-room dispatcher and data-protection officer (issue 18).
staffSpecs.push(
  { id: 'dispatcher', given: '调度', roles: ['dispatcher'], grid: 'wuliqiao' },
  { id: 'dpo', given: '个保', roles: ['dpo'], grid: 'wuliqiao' },
);
// Every hash gets its own salt, even for the one demo password (issue 14: 34 staff shared one string).
const staffHashes = await Promise.all(staffSpecs.map(() => hashPassword(DEMO_STAFF_PASSWORD)));
const staff = staffSpecs.map((s, i) => ({
  id: s.id,
  name: person(s.given),
  username: s.id,
  passwordHash: staffHashes[i]!,
  roles: s.roles,
  grid: s.grid,
  ...(s.onCall ? { onCall: s.onCall } : {}),
  contacts: { phone: phone() },
}));

const site = {
  version: 1,
  id: 'chunjiang',
  name: { 'zh-CN': '春江小区', en: 'Chunjiang Estate' },
  timezone: 'Asia/Shanghai',
  plan: { w: 320, h: 260 },
  grid,
  buildings,
  places,
  households: households.map((h) => (residents.has(h.id) ? { ...h, resident: residents.get(h.id) } : h)),
  devices,
  staff,
  // Consent, who sees which personal field, retention (docs/privacy.md); fields and retention
  // are the lawful defaults, spelled out.
  privacy: {
    consents,
    dayHours: { from: 7, to: 21 },
    fields: DEFAULT_FIELD_ROLES,
    retention: DEFAULT_RETENTION,
  },
  // Alerting policy, spelled out so that a site engineer sees what to change (the same values
  // are the defaults when a section is left out).
  routing: DEFAULT_ROUTING,
  escalation: DEFAULT_ESCALATION,
  playbooks: DEFAULT_PLAYBOOKS,
  // Group robots to notify, e.g. {id: 'mg3-wecom', type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…', grids: ['mg-chunjiang-3']}.
  // A 企业微信 app pages each worker personally; it stays off until the environment gives its
  // API address, secret and the phone page's address (README: "Alerts on a locked phone").
  channels: {
    webhooks: [],
    apps: [
      {
        id: 'wecom-app',
        type: 'wecom',
        appId: 'ww-chunjiang-demo',
        agentId: 1000002,
        secretEnv: 'WEIGE_WECOM_SECRET',
        apiUrlEnv: 'WEIGE_WECOM_API_URL',
      },
    ],
    paging: { pageUrlEnv: 'WEIGE_PAGE_URL', steps: [['wecom-app']] },
  },
  mqtt: {
    allowAnonymous: false,
    devicePasswordHash: await hashPassword(DEMO_DEVICE_PASSWORD),
    // Real secrets next to the demo password, in data/credentials.json (README: "Credentials").
    generatedSecrets: true,
    accounts: [
      {
        username: 'simulator',
        passwordHash: await hashPassword(DEMO_SERVICE_PASSWORD),
        publish: [
          'weige/+/telemetry',
          'weige/+/event',
          'weige/+/track',
          'weige/+/status',
          'weige/+/command/result',
          'vendor/#',
        ],
        subscribe: ['weige/+/command', 'weige/alerts/#', 'weige/incidents/#'],
      },
      {
        username: 'node-red',
        passwordHash: await hashPassword(DEMO_SERVICE_PASSWORD),
        publish: ['weige/flows/+/detection'],
        subscribe: ['weige/#'],
      },
      {
        username: 'dashboard',
        passwordHash: await hashPassword(DEMO_SERVICE_PASSWORD),
        publish: [],
        subscribe: ['weige/alerts/#', 'weige/incidents/#'],
      },
    ],
  },
};

const header = `# Example site: Chunjiang (春江小区), generated by scripts/generate-example-site.ts — edit that, not this.
# Schema: gateway/src/config/site.schema.json. Demo passwords are in the README.
`;
writeFileSync(path.join(REPO_ROOT, 'sites/chunjiang.yaml'), header + stringify(site, { lineWidth: 0 }));
console.log(
  `wrote sites/chunjiang.yaml: ${buildings.length} buildings, ${households.length} households, ${devices.length} devices, ${staff.length} staff`,
);
