/**
 * Tells the gateway about absences the way people do: a resident's family (or the hospital)
 * lets the grid worker know, who records it with `POST /api/households/:id/absences`. Only the
 * absences the truth marks `announced` are sent — the others are the unannounced stays a detector
 * has to live with. The request is made by a staff member allowed to record absences whose grid
 * covers the household, logging in with the demo password.
 */
import type { GridNode, Site, StaffMember } from '../../gateway/src/contracts/site.ts';
import { isoLocal } from './time.ts';
import type { TruthRecord } from './types.ts';

/** Roles that may record absences (gateway/src/alerting/routes/households.ts). */
const CARER_ROLES = new Set(['grid_worker', 'special_care', 'building_group_leader', 'micro_grid_leader']);

export interface AnnouncerOptions {
  /** Gateway HTTP base, e.g. http://127.0.0.1:8080. */
  apiUrl: string;
  site: Site;
  /** Staff password (the example site's demo accounts use `weige-demo`). */
  password?: string;
  onError?: (message: string) => void;
}

export class AbsenceAnnouncer {
  private readonly tokens = new Map<string, Promise<string>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly ancestors = new Map<string, string[]>();
  posted = 0;
  failed = 0;

  constructor(private readonly options: AnnouncerOptions) {
    const walk = (node: GridNode, path: string[]): void => {
      const here = [...path, node.id];
      this.ancestors.set(node.id, here);
      node.children?.forEach((c) => walk(c, here));
    };
    walk(options.site.grid, []);
  }

  /** Feed every truth record here; announced absences are posted in the background. */
  handle(record: TruthRecord): void {
    if (
      record.kind !== 'absence' ||
      record.details?.announced !== true ||
      !record.household ||
      record.endTs === undefined
    )
      return;
    const household = record.household;
    const task = this.post(
      household,
      record.ts,
      record.endTs,
      String(record.details.reason ?? 'family'),
    ).catch((err: unknown) => {
      this.failed++;
      this.options.onError?.(`absence for ${household}: ${err instanceof Error ? err.message : String(err)}`);
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Waits for every request sent so far. */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async post(householdId: string, from: number, to: number, reason: string): Promise<void> {
    const staff = this.carerFor(householdId);
    if (!staff) throw new Error('no staff member with a carer role covers this household');
    const token = await this.token(staff);
    const res = await fetch(
      `${this.options.apiUrl}/api/households/${encodeURIComponent(householdId)}/absences`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ from: isoLocal(from), to: isoLocal(to), reason }),
      },
    );
    if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    this.posted++;
  }

  /** The carer whose grid is the closest ancestor of the household's grid node. */
  private carerFor(householdId: string): StaffMember | null {
    const h = this.options.site.households.find((x) => x.id === householdId);
    const path = h ? (this.ancestors.get(h.grid) ?? []) : [];
    for (const gridId of [...path].reverse()) {
      const s = this.options.site.staff.find(
        (m) => m.grid === gridId && m.roles.some((r) => CARER_ROLES.has(r)),
      );
      if (s) return s;
    }
    return null;
  }

  private token(staff: StaffMember): Promise<string> {
    let t = this.tokens.get(staff.username);
    if (!t) {
      t = (async () => {
        const res = await fetch(`${this.options.apiUrl}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: staff.username, password: this.options.password ?? 'weige-demo' }),
        });
        if (res.status !== 200) throw new Error(`login ${staff.username}: HTTP ${res.status}`);
        return ((await res.json()) as { token: string }).token;
      })();
      this.tokens.set(staff.username, t);
      // A failed login is retried next time rather than cached.
      t.catch(() => this.tokens.delete(staff.username));
    }
    return t;
  }
}
