/**
 * One typed event bus for the pipeline. Listener failures are isolated: a throw is logged with
 * the event name and the pipeline carries on (z2m lib/eventBus.ts).
 */
import type { Logger } from './logger.ts';
import type { DeviceEvent, DeviceStatus, Reading, Track } from '../contracts/readings.ts';
import type { Alert, Detection } from '../contracts/alerts.ts';

export interface DeadLetterRecord {
  id: number;
  receivedAt: number;
  topic: string;
  deviceId: string | null;
  reason: string;
  detail: string;
}

export interface DeviceHealth {
  deviceId: string;
  /** `unknown` until the device is first heard from. */
  status: DeviceStatus | 'unknown';
  lastSeen: number | null;
  batteryPct: number | null;
  /** Why the status is what it is: `status_topic`, `silent`, `message`. */
  cause: string;
}

export interface CommandResult {
  deviceId: string;
  id: string;
  ok: boolean;
  error?: string;
  receivedAt: number;
}

export interface HouseholdAbsence {
  id: string;
  householdId: string;
  /** Epoch ms. */
  from: number;
  to: number;
  reason: string;
  by: string;
}

export interface HouseholdVisit {
  id: string;
  householdId: string;
  /** When the resident was seen, epoch ms. */
  at: number;
  note: string | null;
  by: string;
}

export interface HouseholdConsentChange {
  householdId: string;
  status: 'given' | 'withdrawn' | 'erased';
  /** When it took effect, epoch ms. */
  at: number;
  by: string;
}

export interface BusEvents {
  readingAccepted: [Reading];
  deviceEventAccepted: [DeviceEvent];
  trackAccepted: [Track];
  messageRejected: [DeadLetterRecord];
  deviceHealthChanged: [DeviceHealth];
  commandResultReceived: [CommandResult];
  detectionRaised: [Detection];
  alertRaised: [Alert];
  /** Payload is the incident as the API returns it; its shape belongs to alerting. */
  incidentChanged: [Record<string, unknown>];
  siteModeChanged: [{ siteId: string; mode: 'normal' | 'emergency'; by: string; at: number }];
  /** A household is away (hospital, family) from `from` to `to`: detectors hold their inactivity alerts. */
  householdAbsenceRecorded: [HouseholdAbsence];
  /** A worker saw the resident (一天两见面): detectors may reset their inactivity clock. */
  householdVisitRecorded: [HouseholdVisit];
  /** Consent given, withdrawn or the household erased: monitoring starts or stops (issue 18). */
  householdConsentChanged: [HouseholdConsentChange];
  /** The alert kinds a detector stage can raise now (rules on every load); alerting checks its policy against them. */
  alertKindsDeclared: [{ source: string; kinds: string[] }];
  /** The models loaded now (after every load or swap): rules that are their fallback stand down. */
  modelsLoaded: [{ names: string[] }];
  /**
   * An alert or incident change about to be committed, emitted INSIDE the storing transaction so
   * that a synchronous listener (the street uplink's outbox) writes its row in that same
   * transaction. `alertRaised`/`incidentChanged` follow after the commit.
   */
  publicationStaged: [{ what: 'alert' | 'incident'; body: Record<string, unknown> }];
}

type Listener<A extends unknown[]> = (...args: A) => void;
// Stored type-erased; `on`/`emit` keep the per-event types at the call sites.
type AnyListener = (...args: unknown[]) => void;

export class EventBus {
  private readonly listeners = new Map<keyof BusEvents, Set<AnyListener>>();

  constructor(private readonly log: Logger) {}

  on<E extends keyof BusEvents>(event: E, listener: Listener<BusEvents[E]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as unknown as AnyListener);
    return () => set.delete(listener as unknown as AnyListener);
  }

  emit<E extends keyof BusEvents>(event: E, ...args: BusEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(...args);
      } catch (err) {
        this.log.error({ err, event }, 'bus listener failed');
      }
    }
  }

  listenerCount(event: keyof BusEvents): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
