/**
 * The staff: street and block duty, property managers, the engineer and admin, each micro-grid's
 * leader, workers, responders, carers and patrol inspectors (A and B on call), the dispatcher and
 * the data-protection officer.
 */
import { hashPassword } from '../../gateway/src/core/passwords.ts';
import { MICRO_GRIDS } from './estate.ts';
import type { Random } from './random.ts';

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
type StaffSpec = { id: string; given: string; roles: string[]; grid: string; onCall?: 'A' | 'B' };

function staffSpecs(): StaffSpec[] {
  const specs: StaffSpec[] = [
    { id: 'street-duty', given: '值班', roles: ['micro_grid_leader'], grid: 'wuliqiao' },
    { id: 'block-duty', given: '街区', roles: ['micro_grid_leader'], grid: 'longhua-block' },
    { id: 'property', given: '物业', roles: ['property_manager'], grid: 'longhua', onCall: 'A' },
    { id: 'property-b', given: '物业副', roles: ['property_manager'], grid: 'longhua', onCall: 'B' },
    { id: 'engineer', given: '工程', roles: ['engineer'], grid: 'wuliqiao' },
    { id: 'admin', given: '管理', roles: ['admin'], grid: 'wuliqiao' },
  ];
  Object.keys(MICRO_GRIDS).forEach((mg, i) => {
    const n = i + 1;
    specs.push(
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
  specs.push({ id: 'bg-b3-leader', given: '楼组长', roles: ['building_group_leader'], grid: 'bg-b3' });
  // The street's control-room dispatcher and data-protection officer (issue 18).
  specs.push(
    { id: 'dispatcher', given: '调度', roles: ['dispatcher'], grid: 'wuliqiao' },
    { id: 'dpo', given: '个保', roles: ['dpo'], grid: 'wuliqiao' },
  );
  return specs;
}

/** Every member of staff, with a hash of `password` and a phone number drawn from `rand`. */
export async function makeStaff(password: string, rand: Random) {
  let nameIndex = 0;
  const person = (given: string): string => `${SURNAMES[nameIndex++ % SURNAMES.length]}${given}`;
  const phone = (): string => `139${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
  const specs = staffSpecs();
  // Every hash gets its own salt, even for the one demo password (issue 14: 34 staff shared one string).
  const staffHashes = await Promise.all(specs.map(() => hashPassword(password)));
  return specs.map((s, i) => ({
    id: s.id,
    name: person(s.given),
    username: s.id,
    passwordHash: staffHashes[i]!,
    roles: s.roles,
    grid: s.grid,
    ...(s.onCall ? { onCall: s.onCall } : {}),
    contacts: { phone: phone() },
  }));
}
