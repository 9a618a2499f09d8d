/**
 * What the gateway's stages tell each other on the bus (core/bus.ts): the event map and the
 * records the events carry that are not wire types of their own (readings, alerts and incidents
 * are in their own contract files).
 */
import type { Alert, Detection } from './alerts.ts';
import type { DeadLetterReason } from './dead-letters.ts';
import type { IncidentView } from './incidents.ts';
import type { DeviceEvent, DeviceStatus, Reading, Track } from './readings.ts';

export interface DeadLetterRecord {
  id: number;
  receivedAt: number;
  topic: string;
  deviceId: string | null;
  reason: DeadLetterReason;
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

export interface SiteModeChange {
  siteId: string;
  mode: 'normal' | 'emergency';
  by: string;
  /** Epoch ms. */
  at: number;
}

/** An alert or incident change on its way out, staged in the transaction that stores it. */
export type PublicationStaged = { what: 'alert'; body: Alert } | { what: 'incident'; body: IncidentView };

/** Every event on the gateway's bus (core/bus.ts) and what it carries: past-tense facts. */
export interface BusEvents {
  readingAccepted: [Reading];
  deviceEventAccepted: [DeviceEvent];
  trackAccepted: [Track];
  messageRejected: [DeadLetterRecord];
  deviceHealthChanged: [DeviceHealth];
  commandResultReceived: [CommandResult];
  detectionRaised: [Detection];
  alertRaised: [Alert];
  /** The incident as the API returns it. */
  incidentChanged: [IncidentView];
  siteModeChanged: [SiteModeChange];
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
  publicationStaged: [PublicationStaged];
}
