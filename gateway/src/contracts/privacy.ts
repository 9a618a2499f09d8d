/** Privacy wire types (issue 18): a monitored household as one reader may see it (GET /api/households). */

/** Fields a reader without the right sees masked (张** / 138****5678) or not at all (null). */
export interface PersonalView {
  id: string;
  building: string;
  unit: string;
  floor: number;
  room: string | null;
  grid: string;
  residents: number;
  elderly: boolean;
  livesAlone: boolean;
  resident: {
    name: string | null;
    phone: string | null;
    healthNote: string | null;
    careWorker: string | null;
  };
  contacts: Array<{ name: string; relation: string | null; phone: string | null }>;
  /** Fields shown masked or withheld for this viewer. */
  masked: Array<'name' | 'phone' | 'healthNote' | 'room'>;
}

/** What GET /api/households returns per household: the view plus what the consent covers. */
export interface MonitoredHousehold extends PersonalView {
  consent: {
    monitoring: 'day_only' | 'round_the_clock' | null;
    shareWithFamily: boolean;
    shareWithStreet: boolean;
  };
}
