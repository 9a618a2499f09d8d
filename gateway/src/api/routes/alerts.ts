/**
 * Alerts (GET /api/alerts, /api/alerts/:id) and residents' reports 居民点单 (POST /api/reports).
 * Evidence is read where the read is logged: the list carries only an evidence summary and the
 * link to the incident's evidence package; one alert (with its evidence) logs the read in the
 * same append-only access log as the package — a dashboard refresh is not an evidence access.
 */
import { createHash } from 'node:crypto';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { SiteIndex } from '../../site/site-index.ts';
import type { GatewayContext } from '../../context.ts';
import { SEVERITIES } from '../../contracts/alerts.ts';
import { Errors } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { parseTimeParam, StringEnum, timeParam, WithDefault, type TypedApp } from '../schemas.ts';
import { localizeAlert } from '../../alerting/alert-factory.ts';
import { canonicalJson, collectLinks } from '../../alerting/evidence.ts';
import type { StoredAlert } from '../../alerting/model.ts';
import type { AlertingFacade } from '../../alerting/facade.ts';
import type { AlertingDeps } from '../alerting-deps.ts';
import { errorEnvelope } from '../plugins/errors.ts';
import { incidentView } from '../../alerting/views.ts';
import {
  alertListItemSchema,
  alertSchema,
  idParams,
  incidentSchema,
  langQuery,
  langQueryString,
} from '../alerting-schemas.ts';

const reportResult = {
  type: 'object',
  properties: { reportId: { type: 'string' }, alertId: { type: 'string' }, incident: incidentSchema },
} as const;

const ALERT_STATUSES = ['firing', 'resolved', 'silenced', 'inhibited'];

function listAlerts(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/alerts',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts the caller may see, newest first',
        description:
          'Without the evidence itself: each alert carries `evidenceSummary` (field names, link count) and ' +
          '`evidenceUrl`, the incident evidence package whose every read is logged. GET /api/alerts/:id returns ' +
          'one alert with its evidence and logs that read too.',
        querystring: Type.Object(
          {
            since: Type.Optional(timeParam),
            until: Type.Optional(timeParam),
            kind: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(
              Type.String({ description: 'firing, resolved, silenced, inhibited (comma-separated)' }),
            ),
            limit: WithDefault(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
            lang: WithDefault(langQuery),
          },
          { additionalProperties: false },
        ),
        response: { 200: { type: 'array', items: alertListItemSchema } },
      },
    },
    async (request) => {
      const q = request.query;
      const status = q.status?.split(',');
      const bad = status?.find((s) => !ALERT_STATUSES.includes(s));
      if (bad)
        throw Errors.badRequest(`querystring/status '${bad}' must be one of ${ALERT_STATUSES.join(', ')}`);
      const since = parseTimeParam(q.since, 'since');
      const until = parseTimeParam(q.until, 'until');
      return service()
        .store.listAlerts({
          ...(since !== undefined ? { since } : {}),
          ...(until !== undefined ? { until } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(status ? { status } : {}),
          limit: 20_000,
        })
        .filter((a) => request.canSee(a.gridNode ?? ctx.site.site.grid.id))
        .slice(0, q.limit)
        .map((a) => listItem(localizeAlert(a, q.lang)));
    },
  );
}

function getAlert(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.get(
    '/api/alerts/:id',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['alerts'],
        summary: 'One alert with its evidence; the read is logged',
        description:
          "Every read is appended to the evidence access log of the alert's incident (action `alert_view`, " +
          'with the SHA-256 of the evidence shown), or under the alert id when it has no incident.',
        params: idParams,
        querystring: langQueryString,
        response: { 200: alertSchema },
      },
    },
    async (request) => {
      const user = request.requireUser();
      const svc = service();
      const a = svc.store.getAlert(request.params.id);
      if (!a || !request.canSee(a.gridNode ?? ctx.site.site.grid.id))
        throw Errors.notFound(`no alert '${request.params.id}'`);
      svc.records.logEvidenceAccess(
        a.incidentId ?? a.id,
        svc.now(),
        user.id,
        'alert_view',
        request.ip ?? null,
        createHash('sha256').update(canonicalJson(a.evidence)).digest('hex'),
      );
      ctx.privacy.audit.record({
        at: svc.now(),
        actor: user.id,
        roles: user.roles,
        action: 'read',
        subject: `alert:${a.id}`,
        fields: ['evidence'],
        ip: request.ip ?? null,
        purpose: a.incidentId,
      });
      return localizeAlert(a, request.query.lang);
    },
  );
}

const reportBodySchema = Type.Object(
  {
    category: Type.String({
      minLength: 1,
      maxLength: 64,
      examples: ['water_leak', 'noise', 'repair', 'safety'],
    }),
    description: Type.String({ minLength: 1, maxLength: 2000 }),
    location: Type.Object(
      {
        household: Type.Optional(Type.String()),
        building: Type.Optional(Type.String()),
        place: Type.Optional(Type.String()),
        unit: Type.Optional(Type.String()),
        floor: Type.Optional(Type.Integer()),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    reporter: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ maxLength: 64 })),
          phone: Type.Optional(Type.String({ maxLength: 32 })),
        },
        { additionalProperties: false },
      ),
    ),
    severity: Type.Optional(StringEnum(SEVERITIES, { default: 'minor' })),
    photos: Type.Optional(Type.Array(Type.String({ format: 'uri', maxLength: 2048 }), { maxItems: 20 })),
    clientRef: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'the caller’s id for this report; resending it does not duplicate',
      }),
    ),
  },
  { additionalProperties: false },
);
type ReportBody = Static<typeof reportBodySchema>;

/** A resident's report as the detection it raises (titles name the flat as the rules do). */
function reportDetection(site: SiteIndex, b: ReportBody, reportId: string, takenBy: string, now: number) {
  const loc = b.location;
  // Flats in the same style as the rules' titles: 3号楼1单元1403室, not B3-1-1403.
  const where =
    site.householdName(loc.household, 'zh-CN') ??
    site.place(loc.place)?.name['zh-CN'] ??
    site.building(loc.building)?.name['zh-CN'] ??
    '';
  const whereEn =
    site.householdName(loc.household, 'en') ??
    site.place(loc.place)?.name.en ??
    site.building(loc.building)?.name.en ??
    '';
  return {
    kind: 'resident_report',
    severity: b.severity ?? 'minor',
    siteId: site.siteId,
    eventTs: now,
    source: { deviceId: null, rule: null, model: null },
    dedupeKey: `report:${reportId}`,
    location: { ...loc },
    title: {
      'zh-CN': `居民点单：${where} ${b.category}`,
      en: `Resident report: ${whereEn} ${b.category}`,
    },
    message: { 'zh-CN': b.description, en: b.description },
    evidence: {
      reportId,
      category: b.category,
      reporter: b.reporter ?? null,
      photos: b.photos ?? [],
      takenBy,
    },
  } as const;
}

function reportProblem(app: TypedApp, { ctx, service }: AlertingDeps): void {
  app.post(
    '/api/reports',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['alerts'],
        summary: "A resident's report 居民点单: becomes an alert and an incident in the same workflow",
        body: reportBodySchema,
        response: {
          200: reportResult,
          201: reportResult,
          409: { description: 'a silence muted the report: no incident opened', ...errorEnvelope },
        },
      },
    },
    async (request, reply) => {
      const user = request.requireUser();
      const b = request.body;
      const loc = b.location;
      const site = ctx.site;
      if (loc.household && !site.household(loc.household))
        throw Errors.badRequest(`unknown household '${loc.household}'`);
      if (loc.place && !site.place(loc.place)) throw Errors.badRequest(`unknown place '${loc.place}'`);
      if (loc.building && !site.building(loc.building))
        throw Errors.badRequest(`unknown building '${loc.building}'`);
      const reportId = b.clientRef ? `rpt_${user.id}_${b.clientRef}` : newId('rpt');
      const detection = reportDetection(ctx.site, b, reportId, user.id, service().now());
      const svc = service();
      // Resending the same clientRef returns the incident it already opened.
      const existing = svc.store.latestByDedupeKey(detection.dedupeKey);
      if (existing)
        return reply
          .status(200)
          .send({ reportId, alertId: existing.firstAlertId, incident: incidentView(existing) });
      const alert = svc.raise({ ...detection, location: { ...loc }, evidence: { ...detection.evidence } });
      const incident = alert?.incidentId ? svc.store.getIncident(alert.incidentId) : undefined;
      if (!alert || !incident)
        throw Errors.conflict('the report was muted by a silence and opened no incident');
      return reply.status(201).send({ reportId, alertId: alert.id, incident: incidentView(incident) });
    },
  );
}

export function alertRoutes(
  service: () => AlertingFacade,
): FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const deps = { ctx, service };
    listAlerts(app, deps);
    getAlert(app, deps);
    reportProblem(app, deps);
  };
}

/** The list form: the evidence replaced by what it holds and where its logged read is. */
function listItem(a: StoredAlert): Omit<StoredAlert, 'evidence'> & {
  evidenceSummary: { fields: string[]; links: number };
  evidenceUrl: string | null;
} {
  const { evidence, ...rest } = a;
  return {
    ...rest,
    evidenceSummary: { fields: Object.keys(evidence ?? {}).sort(), links: collectLinks(evidence).size },
    evidenceUrl: a.incidentId ? `/api/incidents/${encodeURIComponent(a.incidentId)}/evidence` : null,
  };
}
