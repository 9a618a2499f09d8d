/**
 * Routing: from where an alert happened to the people who hold the roles for its kind.
 * For each role, the nearest grid node at or above the alert's node that has someone in that
 * role wins (a responder on the micro-grid, the property manager on the neighbourhood). The
 * chain is then: A posts (AB角) → B posts → supervisors at each grid level up to the street.
 */
import type { SiteIndex } from '../site/site-index.ts';
import type { Role, StaffMember } from '../contracts/site.ts';
import type { IncidentChainStep } from '../contracts/incidents.ts';

export interface RouteRequest {
  gridNode: string | null;
  roles: Role[];
  supervisorRoles: Role[];
  /** Emergency mode: extra roles, and A and B paged together. */
  extraRoles?: Role[];
  pageBothPosts?: boolean;
}

type Member = IncidentChainStep['staff'][number];

const member = (s: StaffMember, role: Role): Member => ({
  staffId: s.id,
  name: s.name,
  role,
  post: s.onCall ?? null,
});

/** Staff holding `role` at the nearest node at or above `from` that has any. */
function nearestHolders(site: SiteIndex, from: string, role: Role): StaffMember[] {
  const staff = site.site.staff;
  for (const node of [...site.gridPath(from)].reverse()) {
    const holders = staff.filter((s) => s.grid === node && s.roles.includes(role));
    if (holders.length) return holders;
  }
  return [];
}

function addUnique(list: Member[], m: Member): void {
  if (!list.some((x) => x.staffId === m.staffId)) list.push(m);
}

export function buildChain(site: SiteIndex, req: RouteRequest): IncidentChainStep[] {
  const node = req.gridNode ?? site.site.grid.id;
  const roles = [...new Set([...req.roles, ...(req.extraRoles ?? [])])];
  const a: Member[] = [];
  const b: Member[] = [];
  for (const role of roles) {
    const holders = nearestHolders(site, node, role);
    // The A post holds the page; people with no post (a leader who also works the grid) only
    // when there is no A post. A lone B post still gets the page rather than nobody.
    const onA = holders.filter((s) => s.onCall === 'A');
    const aPosts = onA.length ? onA : holders.filter((s) => s.onCall !== 'B');
    for (const s of aPosts.length ? aPosts : holders) addUnique(a, member(s, role));
    if (aPosts.length) for (const s of holders.filter((h) => h.onCall === 'B')) addUnique(b, member(s, role));
  }
  const steps: IncidentChainStep[] = [];
  if (req.pageBothPosts) {
    const both = [...a];
    for (const m of b) addUnique(both, m);
    if (both.length) steps.push({ label: 'A+B', gridNode: node, staff: both });
  } else {
    if (a.length) steps.push({ label: 'A', gridNode: node, staff: a });
    if (b.length) steps.push({ label: 'B', gridNode: node, staff: b });
  }
  const seen = new Set(steps.flatMap((s) => s.staff.map((m) => m.staffId)));
  for (const level of [...site.gridPath(node)].reverse()) {
    const sups: Member[] = [];
    for (const s of site.site.staff) {
      const role = req.supervisorRoles.find((r) => s.roles.includes(r));
      if (s.grid === level && role && !seen.has(s.id)) {
        addUnique(sups, member(s, role));
        seen.add(s.id);
      }
    }
    if (sups.length) steps.push({ label: `grid:${level}`, gridNode: level, staff: sups });
  }
  return steps;
}
