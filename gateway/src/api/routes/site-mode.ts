/** Peacetime/wartime 平战转换: GET and PUT /api/site/mode, with the record of every switch. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { modeBodySchema } from '../schemas.ts';
import type { GatewayContext } from '../../context.ts';
import { Errors } from '../../core/errors.ts';
import type { AlertingFacade } from '../../alerting/facade.ts';

const modeSchema = {
  type: 'object',
  properties: {
    mode: { type: 'string', enum: ['normal', 'emergency'] },
    since: { type: ['string', 'null'] },
    by: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          mode: { type: 'string' },
          at: { type: 'string' },
          by: { type: 'string' },
          reason: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;

export function siteModeRoutes(
  service: () => AlertingFacade,
): FastifyPluginAsyncTypebox<{ ctx: GatewayContext }> {
  return async (app, { ctx }) => {
    const view = () => {
      const s = service().siteMode();
      const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
      return { ...s, since: iso(s.since), history: s.history.map((h) => ({ ...h, at: iso(h.at) })) };
    };

    app.get(
      '/api/site/mode',
      {
        config: { access: 'staff' },
        schema: { tags: ['site'], summary: 'The site mode and its switches', response: { 200: modeSchema } },
      },
      async (request) => {
        request.requireUser();
        return view();
      },
    );

    app.put(
      '/api/site/mode',
      {
        config: { access: ['micro_grid_leader', 'property_manager'] },
        schema: {
          tags: ['site'],
          summary:
            'Switch between normal and emergency mode (admins, property managers, micro-grid leaders and above)',
          description:
            'Emergency mode multiplies escalation timeouts by escalation.emergency.timeoutFactor and pages extra roles (and A and B posts at once) for new incidents.',
          body: modeBodySchema,
          response: { 200: modeSchema },
        },
      },
      async (request) => {
        // The property manager runs the community's response (issue 7: "the manager switches to
        // emergency mode"); leaders switch it from a micro-grid or higher, never a building group.
        const user = request.requireRole('micro_grid_leader', 'property_manager');
        const level = ctx.site.gridNode(user.grid)?.level;
        if (!user.roles.includes('admin') && level === 'building_group')
          throw Errors.authForbidden(
            'only property managers and micro-grid leaders and above switch the site mode',
          );
        const svc = service();
        svc.setSiteMode(request.body.mode, user.id, request.body.reason ?? null);
        return view();
      },
    );
  };
}
