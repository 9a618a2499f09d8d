/**
 * Matching the gateway's alerts to a scene's truth, and the metrics issue 13 asks for.
 *
 * An alert matches a truth event of its danger when it is of one of the danger's kinds, at the
 * same place, and its event time falls in the event's window:
 *   throws  falling_object, same camera (or building + façade), release − 5 s … last frame + 60 s
 *   water   elderly_inactivity or water_use_abnormal, same household, collapse … collapse + 48 h
 *   sheds   fire or fire_risk, same shed, first off-gas − 5 min … flame + 15 min
 * Each truth event takes the earliest matching alert; later alerts in its window are repeats
 * (counted, not false). A collapsed resident stays collapsed until the collapse's end (the scene's
 * end when nobody comes): alerts past the 48 h window until then are repeats too — they are
 * outside the household-days at risk, which end at the collapse, so they are never false. A throw's window on a camera where drips fall every few seconds holds
 * drip alerts too, so for throws an alert naming the throw's track (its dedupeKey ends with the
 * track id) is taken first, else the one nearest the true floor; only alerts naming the same
 * track, and the camera's own event stamped at the track's start, are repeats. Every other alert of the danger's kinds at a scene place is false.
 */
import type { RecordedCommand } from './replay.ts';
import type {
  AbsenceTruth,
  CollapseTruth,
  Danger,
  DistractorTruth,
  NuisanceTruth,
  RunawayTruth,
  SceneTruth,
  ThrowTruth,
  Truth,
} from './scene.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from './time.ts';

export interface GatewayAlert {
  id: string;
  kind: string;
  severity: string;
  eventTs: string;
  location: {
    building?: string | null;
    facade?: string | null;
    floor?: number | null;
    household?: string | null;
    place?: string | null;
  };
  source: { deviceId?: string | null; rule?: string | null; model?: string | null };
  incidentId: string | null;
  /** The gateway's grouping key; for track detections it ends with the track id. */
  dedupeKey?: string;
  /** The port the alert names, if its evidence carries one. */
  port?: number | null;
}

export const DANGER_KINDS: Record<Danger, string[]> = {
  throws: ['falling_object'],
  water: ['elderly_inactivity', 'water_use_abnormal'],
  sheds: ['fire', 'fire_risk'],
};

export const WINDOWS = {
  throws: { beforeMs: 5 * SECOND_MS, afterMs: 60 * SECOND_MS },
  water: { beforeMs: 0, afterMs: 48 * HOUR_MS },
  sheds: { beforeMs: 5 * MINUTE_MS, afterMs: 15 * MINUTE_MS },
};

type Target = ThrowTruth | CollapseTruth | RunawayTruth;

export interface Matched<T extends Target> {
  truth: T;
  alert: GatewayAlert | null;
  /** Alert event time − the truth's reference time (release, collapse, smoke), ms. */
  delayMs: number | null;
  repeats: number;
  /** The matching alert and its repeats. */
  hits: GatewayAlert[];
}

export interface MatchResult {
  danger: Danger;
  scene: SceneTruth;
  throws: Array<Matched<ThrowTruth>>;
  collapses: Array<Matched<CollapseTruth>>;
  runaways: Array<Matched<RunawayTruth> & { portRight: boolean }>;
  falseAlerts: Array<{ alert: GatewayAlert; cause: string }>;
  /** Alerts of the danger's kinds at places the scene has no data for. */
  elsewhere: number;
}

const tsOf = (a: GatewayAlert): number => Date.parse(a.eventTs);

export function atPlace(danger: Danger, a: GatewayAlert, place: string, truths: Truth[]): boolean {
  if (danger === 'water') return a.location.household === place;
  if (danger === 'sheds') return a.location.place === place;
  if (a.source.deviceId === place) return true;
  const cam = truths.find((t): t is ThrowTruth => t.kind === 'throw' && t.camera === place);
  return Boolean(
    cam && !a.source.deviceId && a.location.building === cam.building && a.location.facade === cam.facade,
  );
}

function placeOf(t: Target): string {
  return t.kind === 'throw' ? t.camera : t.kind === 'collapse' ? t.household : t.shed;
}

function windowOf(t: Target): [number, number] {
  if (t.kind === 'throw') return [t.ts - WINDOWS.throws.beforeMs, t.endTs + WINDOWS.throws.afterMs];
  if (t.kind === 'collapse') return [t.ts, t.ts + WINDOWS.water.afterMs];
  return [t.ts - WINDOWS.sheds.beforeMs, t.flameTs + WINDOWS.sheds.afterMs];
}

export function matchAlerts(
  truth: Truth[],
  alerts: GatewayAlert[],
  commands: RecordedCommand[] = [],
): MatchResult {
  const scene = truth.find((t): t is SceneTruth => t.kind === 'scene');
  if (!scene) throw new Error('truth has no scene row');
  const danger = scene.danger;
  const relevant = alerts
    .filter((a) => DANGER_KINDS[danger].includes(a.kind))
    .filter((a) => tsOf(a) >= scene.ts - DAY_MS && tsOf(a) <= scene.endTs + 2 * DAY_MS)
    .sort((a, b) => tsOf(a) - tsOf(b));
  const placed = relevant.filter((a) => scene.places.some((p) => atPlace(danger, a, p, truth)));
  const used = new Set<string>();
  const targets = truth.filter(
    (t): t is Target => t.kind === 'throw' || t.kind === 'collapse' || t.kind === 'runaway',
  );
  const matched = targets.map((t) => {
    const [from, to] = windowOf(t);
    const until = t.kind === 'collapse' ? Math.max(to, t.endTs) : to;
    const inWindow = placed.filter(
      (a) => !used.has(a.id) && atPlace(danger, a, placeOf(t), truth) && tsOf(a) >= from && tsOf(a) <= until,
    );
    const hits = t.kind === 'throw' ? throwHits(t, inWindow) : inWindow;
    const first = hits[0] && tsOf(hits[0]) <= to ? hits[0] : null;
    for (const a of hits) used.add(a.id);
    const reference = t.kind === 'runaway' ? t.smokeTs : t.ts;
    return {
      truth: t,
      alert: first,
      delayMs: first ? tsOf(first) - reference : null,
      repeats: hits.length - (first ? 1 : 0),
      hits,
    };
  });
  const falseAlerts = placed
    .filter((a) => !used.has(a.id))
    .map((alert) => ({ alert, cause: causeOf(danger, alert, truth) }));
  return {
    danger,
    scene,
    throws: matched.filter((m): m is Matched<ThrowTruth> => m.truth.kind === 'throw'),
    collapses: matched.filter((m): m is Matched<CollapseTruth> => m.truth.kind === 'collapse'),
    runaways: matched
      .filter((m): m is Matched<RunawayTruth> => m.truth.kind === 'runaway')
      .map((m) => ({ ...m, portRight: portRight(m, commands) })),
    falseAlerts,
    elsewhere: relevant.length - placed.length,
  };
}

/** A camera stamps its own event at the track's first frame (simulators/ cameras send one). */
const CAMERA_EVENT_SLACK_MS = SECOND_MS;

/**
 * Alerts naming the throw's track; failing that, the one alert nearest the true floor. The camera's
 * own event on it (a rule's alert stamped at the track's start) is a repeat of either.
 */
function throwHits(t: ThrowTruth, inWindow: GatewayAlert[]): GatewayAlert[] {
  const naming = inWindow.filter((a) => a.dedupeKey?.endsWith(`:${t.trackId}`));
  const trackStart = t.ts + t.trackDelayS * SECOND_MS;
  const ownEvent = inWindow.filter(
    (a) => a.source.rule && !a.source.model && Math.abs(tsOf(a) - trackStart) <= CAMERA_EVENT_SLACK_MS,
  );
  const floorError = (a: GatewayAlert): number =>
    typeof a.location.floor === 'number' ? Math.abs(a.location.floor - t.floor) : Number.POSITIVE_INFINITY;
  const nearest = [...inWindow].sort((a, b) => floorError(a) - floorError(b) || tsOf(a) - tsOf(b))[0];
  const hits = naming.length ? naming : nearest ? [nearest] : [];
  return [...hits, ...ownEvent.filter((a) => !hits.includes(a))];
}

/**
 * The replay records where it was in the scene when a command arrived; detection trails ingest,
 * so that is later than the detection's event time. Commands up to an hour after the event count.
 */
const COMMAND_SLACK_MS = HOUR_MS;

/** The right port: an alert on the event names it, or the gateway cut exactly that port. */
function portRight(m: Matched<RunawayTruth>, commands: RecordedCommand[]): boolean {
  if (m.hits.some((a) => a.port === m.truth.port)) return true;
  return commands.some((c) => {
    if (
      c.topic !== `weige/${m.truth.charger}/command` ||
      c.sceneTs < m.truth.ts ||
      c.sceneTs > m.truth.endTs + COMMAND_SLACK_MS
    )
      return false;
    const body = JSON.parse(c.payload) as { name?: string; args?: { port?: number; on?: boolean } };
    return body.name === 'charging_power' && body.args?.port === m.truth.port && body.args.on === false;
  });
}

/** Which distractor, absence or nuisance was going on where and when a false alert fired. */
function causeOf(danger: Danger, a: GatewayAlert, truth: Truth[]): string {
  const t = tsOf(a);
  if (danger === 'throws') {
    const d = truth.find(
      (x): x is DistractorTruth =>
        x.kind === 'distractor' &&
        atPlace(danger, a, x.camera, truth) &&
        t >= x.ts - WINDOWS.throws.beforeMs &&
        t <= x.endTs + WINDOWS.throws.afterMs,
    );
    return d?.cause ?? 'unexplained';
  }
  if (danger === 'water') {
    // An absence explains alerts during it and up to 6 h after the return.
    const ab = truth.find(
      (x): x is AbsenceTruth =>
        x.kind === 'absence' &&
        x.household === a.location.household &&
        t >= x.ts &&
        t <= x.endTs + 6 * HOUR_MS,
    );
    return ab?.cause ?? 'at_home';
  }
  const n = truth.find(
    (x): x is NuisanceTruth =>
      x.kind === 'nuisance' &&
      x.shed === a.location.place &&
      t >= x.ts - 10 * MINUTE_MS &&
      t <= x.endTs + 10 * MINUTE_MS,
  );
  return n?.cause ?? 'unexplained';
}
