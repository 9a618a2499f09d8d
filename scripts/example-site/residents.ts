/**
 * The watched residents (独居老人) and their consent forms: demo names, phones and notes from their
 * own seed, so the rest of the site stays as it was.
 */
import { MICRO_GRIDS, type Household } from './estate.ts';
import { mulberry32 } from './random.ts';

const GIVEN = ['桂英', '秀兰', '玉珍', '凤英', '建国', '德明', '淑华', '志强', '美娟', '国庆'];
const NOTES = ['高血压，每日服药', '行动不便，使用助行器', '听力较弱，敲门请用力', '糖尿病', ''];
const RESIDENT_SURNAMES = ['张', '王', '李', '陈', '刘', '沈', '顾', '周'];
const microGridOf = (building: string): number =>
  Object.values(MICRO_GRIDS).findIndex((bs) => bs.includes(building)) + 1;

/** The resident of each household whose resident lives alone, by household id. */
export function makeResidents(watched: readonly Household[]) {
  const residentRand = mulberry32(20261203);
  const pick = <T>(xs: T[]): T => xs[Math.floor(residentRand() * xs.length)]!;
  return new Map(
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
}

/** Each watched resident signed a consent form (issue 18), some through a guardian. */
export function makeConsents(watched: readonly Household[], residents: ReturnType<typeof makeResidents>) {
  return watched.map((h, i) => ({
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
}
