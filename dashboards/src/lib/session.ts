/**
 * The logged-in user and their bearer token (from POST /api/auth/login), kept in localStorage so
 * a phone that reloads stays logged in until the token expires. Which pages a role may open is
 * mirrored here only to build the navigation: the API enforces every permission itself.
 */
import type { Role } from '../../../gateway/src/contracts/site.ts';

export interface SessionUser {
  id: string;
  name: string;
  username: string;
  roles: Role[];
  grid: string;
  onCall: 'A' | 'B' | null;
}

export interface Session {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

export type PageId = 'console' | 'worker' | 'engineer' | 'street' | 'privacy';

const KEY = 'weige.session';

/** Roles that work each page, in the order a user lands on them after login. */
export const PAGE_ROLES: Record<PageId, Role[]> = {
  console: ['property_manager', 'micro_grid_leader', 'patrol_inspector', 'dispatcher', 'admin'],
  // Everyone who can be paged lands here from a notification link, and can act on what they get.
  worker: [
    'grid_worker',
    'property_manager',
    'emergency_responder',
    'special_care',
    'building_group_leader',
    'micro_grid_leader',
    'patrol_inspector',
    'admin',
  ],
  engineer: ['engineer', 'admin'],
  // Served by the street hub (npm run hub), not by a community gateway.
  street: ['street_duty', 'street_admin'],
  privacy: ['dpo', 'admin'],
};

export const PAGE_PATHS: Record<PageId, string> = {
  console: '/console.html',
  worker: '/worker.html',
  engineer: '/engineer.html',
  street: '/street.html',
  privacy: '/privacy.html',
};

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return Date.parse(s.expiresAt) > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

export function pagesFor(user: SessionUser): PageId[] {
  return (Object.keys(PAGE_ROLES) as PageId[]).filter((p) =>
    PAGE_ROLES[p].some((r) => user.roles.includes(r)),
  );
}

export function hasRole(user: SessionUser, ...roles: Role[]): boolean {
  return user.roles.includes('admin') || roles.some((r) => user.roles.includes(r));
}

/** Where a user lands after login: the page that fits their main role. */
export function homeFor(user: SessionUser): string {
  if (user.roles.some((r) => PAGE_ROLES.street.includes(r))) return PAGE_PATHS.street;
  const order: PageId[] = user.roles.includes('dpo')
    ? ['privacy']
    : user.roles.includes('engineer')
      ? ['engineer', 'console', 'worker']
      : user.roles.some((r) => r === 'property_manager' || r === 'admin')
        ? ['console', 'worker', 'engineer']
        : ['worker', 'console', 'engineer'];
  const page = order.find((p) => pagesFor(user).includes(p));
  return page ? PAGE_PATHS[page] : '/';
}

/** The session, or a redirect to the login page that comes back here afterwards. */
export function requireSession(): Session {
  const s = loadSession();
  if (!s) {
    const next = location.pathname + location.search;
    location.replace(`/?next=${encodeURIComponent(next)}`);
    throw new Error('not logged in');
  }
  return s;
}
