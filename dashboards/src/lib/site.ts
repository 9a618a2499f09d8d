/** The site as the caller may see it (GET /api/site), loaded once per page. */
import { api } from './api.ts';
import type { SiteView } from './model.ts';

let cached: Promise<SiteView> | null = null;

export function loadSite(): Promise<SiteView> {
  cached ??= api.get<SiteView>('/api/site');
  return cached;
}

export function staffName(site: SiteView | null, id: string | null): string | null {
  if (!id) return null;
  return site?.staff.find((s) => s.id === id || s.username === id)?.name ?? id;
}
