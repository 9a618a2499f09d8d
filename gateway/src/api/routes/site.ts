/** GET /api/site: the site as the caller may see it (their grid subtree and what hangs under it). */
import type { FastifyPluginAsync } from 'fastify';
import type { GridNode } from '../../contracts/site.ts';
import type { GatewayContext } from '../../context.ts';
import { flatOnly } from '../../privacy/masking.ts';

const text = { type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } } };
const gridNode = { type: 'object', additionalProperties: true };
const anyObjects = { type: 'array', items: { type: 'object', additionalProperties: true } };

const route: FastifyPluginAsync<{ ctx: GatewayContext }> = async (app, { ctx }) => {
  app.get(
    '/api/site',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['site'],
        summary: 'The site, scoped to the caller: grid tree, buildings, places, households, staff',
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              name: text,
              timezone: { type: 'string' },
              plan: { type: 'object', additionalProperties: true },
              grid: gridNode,
              buildings: anyObjects,
              places: anyObjects,
              households: anyObjects,
              staff: {
                type: 'array',
                items: {
                  type: 'object',
                  // passwordHash is deliberately absent: the response schema filters it out.
                  properties: {
                    id: { type: 'string' },
                    name: { type: 'string' },
                    username: { type: 'string' },
                    roles: { type: 'array', items: { type: 'string' } },
                    grid: { type: 'string' },
                    onCall: { type: 'string' },
                    contacts: { type: 'object', additionalProperties: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      request.requireUser();
      const { site } = ctx.site;
      const visible = (grid: string): boolean => request.canSee(grid);
      return {
        id: site.id,
        name: site.name,
        timezone: site.timezone,
        plan: site.plan ?? null,
        grid: pruneGrid(site.grid, (id) => visible(id) || hasVisibleDescendant(site.grid, id, visible)),
        buildings: site.buildings.filter((b) => visible(b.grid)),
        places: site.places.filter((p) => visible(p.grid)),
        // Flats only: who lives there, and how they are watched, is read (and logged) at /api/households.
        households: site.households.filter((h) => visible(h.grid)).map(flatOnly),
        staff: site.staff.filter(
          (s) => visible(s.grid) || ctx.site.isWithin(request.requireUser().grid, s.grid),
        ),
      };
    },
  );
};

/** The grid tree keeping only nodes for which `keep` holds (ancestors of visible nodes included). */
function pruneGrid(node: GridNode, keep: (id: string) => boolean): GridNode {
  const children = (node.children ?? []).filter((c) => keep(c.id)).map((c) => pruneGrid(c, keep));
  return { id: node.id, level: node.level, name: node.name, ...(children.length ? { children } : {}) };
}

function hasVisibleDescendant(root: GridNode, id: string, visible: (id: string) => boolean): boolean {
  const find = (n: GridNode): GridNode | undefined => (n.id === id ? n : n.children?.map(find).find(Boolean));
  const start = find(root);
  const any = (n: GridNode): boolean => visible(n.id) || (n.children ?? []).some(any);
  return start ? any(start) : false;
}

export default route;
