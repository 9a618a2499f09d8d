/**
 * Turns a rule firing or clearing into the Detection alerting consumes: kind, severity, the
 * subject's location, zh-CN and en texts rendered from the rule's templates, a dedupe key built
 * from ids, and evidence saying which rule version fired on which facts and input.
 */
import type { SiteIndex } from '../../site/site-index.ts';
import type { Detection } from '../../contracts/alerts.ts';
import { facadeSighting } from './facade-sighting.ts';
import { renderTemplate, type TemplateInput } from './templates.ts';
import type { CompiledRule, EvalContext, Observation, Subject } from './types.ts';

export interface DetectionContext {
  site: SiteIndex;
  timezone: string;
  /** The input that last reached this rule instance (its attributes go into evidence). */
  trigger: Observation | undefined;
}

export function buildDetection(
  rule: CompiledRule,
  subject: Subject,
  ctx: EvalContext,
  cleared: boolean,
  dc: DetectionContext,
): Detection {
  const site = dc.site;
  const last = dc.trigger;
  const sighting = last?.attributes?.bbox
    ? facadeSighting(subject.device, site.watchedFacade(subject.device), last.attributes.bbox)
    : null;
  const input: TemplateInput = {
    ruleId: rule.id,
    subject,
    facts: ctx.facts,
    value: Object.values(ctx.facts)[0],
    at: ctx.at,
    timezone: dc.timezone,
    sighting,
  };
  const location =
    rule.subject === 'place' && subject.place
      ? { building: subject.place.building ?? null, place: subject.place.id }
      : {
          ...site.deviceLocation(subject.device),
          ...(sighting ? { floorRange: sighting.floorRange } : {}),
        };
  const title = {
    'zh-CN': renderTemplate(rule.texts['zh-CN'].title, 'zh-CN', input, site),
    en: renderTemplate(rule.texts.en.title, 'en', input, site),
  };
  const message = {
    'zh-CN': renderTemplate(rule.texts['zh-CN'].message, 'zh-CN', input, site),
    en: renderTemplate(rule.texts.en.message, 'en', input, site),
  };
  if (cleared) {
    title['zh-CN'] = `已恢复：${title['zh-CN']}`;
    title.en = `Cleared: ${title.en}`;
  }
  return {
    kind: rule.kind,
    severity: cleared ? 'info' : rule.severity,
    siteId: site.siteId,
    eventTs: ctx.at,
    source: { deviceId: subject.device.id, rule: rule.id, model: null },
    dedupeKey: renderKey(rule, subject),
    location,
    title,
    message,
    evidence: {
      rule: { id: rule.id, hash: rule.hash, file: rule.file },
      subject: subject.key,
      facts: ctx.facts,
      autoResolve: rule.autoResolve,
      ...(sighting
        ? {
            origin: {
              basis: 'camera event box: the object left a window at or above where it was seen',
              floorRange: sighting.floorRange,
              windowColumn: sighting.windowColumn,
              facadeXM: sighting.xM,
              facadeZM: sighting.zM,
            },
          }
        : {}),
      ...(last
        ? {
            trigger: {
              deviceId: last.deviceId,
              ts: last.ts,
              ...(last.attributes ? { attributes: last.attributes } : {}),
            },
          }
        : {}),
    },
    ...(cleared ? { cleared: true } : {}),
    ...(rule.autoResolve ? { autoResolve: true } : {}),
  };
}

/** Dedupe keys use ids, never display names, so they are stable across languages and renames. */
function renderKey(rule: CompiledRule, subject: Subject): string {
  const household = subject.household;
  const values: Record<string, string | number | undefined> = {
    rule: rule.id,
    kind: rule.kind,
    subject: subject.key,
    device: subject.device.id,
    place: subject.place?.id,
    placeId: subject.place?.id,
    building: household?.building ?? subject.device.building ?? subject.place?.building,
    buildingId: household?.building ?? subject.device.building ?? subject.place?.building,
    facade: subject.device.facade,
    port: /^[0-9]+$/.test(subject.stream) ? subject.stream : undefined,
    household: household?.id,
    floor: household?.floor ?? subject.device.floor,
    unit: household?.unit ?? subject.device.unit,
  };
  return rule.dedupeKey.replace(/\{([a-zA-Z]+)(?::[0-9])?\}/g, (_m, name: string) =>
    String(values[name] ?? '-'),
  );
}
