/**
 * Actions taken at the street hub, applied here like local ones (issue 19): an acceptance or a
 * hand-back by the street duty officer, street-wide emergency mode, a street-level silence.
 * Each is applied in one transaction together with `alsoInTransaction` (the street link's
 * cursor and its answer to the hub), so a crash applies an action either fully or not at all,
 * and a resumed downlink never applies it twice.
 */
import type { ActionResult, DownlinkAction } from '../contracts/hub.ts';
import { WeigeError } from '../core/errors.ts';
import { contentId } from '../core/ids.ts';
import type { AlertingService } from './service.ts';

/** How a street account shows in incident history, site-mode records and silences. */
export const streetActor = (account: string): string => `street:${account}`;

export class StreetActions {
  constructor(private readonly service: AlertingService) {}

  apply(action: DownlinkAction, alsoInTransaction: (result: ActionResult) => void): ActionResult {
    const svc = this.service;
    return svc.core.work(() => {
      let result: ActionResult;
      try {
        // A savepoint: a refused action leaves nothing behind but its answer.
        svc.store.transaction(() => this.applyOne(action));
        result = { downlinkSeq: action.seq, kind: action.kind, outcome: 'applied', message: null };
      } catch (err) {
        if (!(err instanceof WeigeError)) throw err;
        result = { downlinkSeq: action.seq, kind: action.kind, outcome: 'refused', message: err.message };
        svc.core.log.warn(
          { action: action.seq, kind: action.kind, reason: err.message },
          'street action refused',
        );
      }
      alsoInTransaction(result);
      return result;
    });
  }

  private applyOne(action: DownlinkAction): void {
    const svc = this.service;
    const by = streetActor(action.by);
    const body = action.body as Record<string, unknown>;
    switch (action.kind) {
      case 'incident_accept':
        svc.workflow.acceptAtStreet(by, String(body.incidentId), (body.note as string | null) ?? null);
        return;
      case 'incident_hand_back':
        svc.workflow.handBackFromStreet(by, String(body.incidentId), (body.note as string | null) ?? null);
        return;
      case 'site_mode':
        svc.mode.set(
          body.mode as 'normal' | 'emergency',
          by,
          (body.reason as string | null) ?? null,
          svc.escalator,
        );
        return;
      case 'silence':
        svc.records.insertSilence({
          // Deterministic: the same street action is the same silence.
          id: contentId('sil', 'street', action.seq, action.at),
          matchers: body.matchers as Record<string, string>,
          startsAt: Date.parse(String(body.startsAt)),
          endsAt: Date.parse(String(body.endsAt)),
          reason: String(body.reason),
          createdBy: by,
          createdAt: svc.core.now,
          expiredBy: null,
        });
        return;
    }
  }
}
