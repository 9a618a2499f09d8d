/**
 * The street hub's wire types (issue 19): what a community gateway pushes up (uplink records
 * from its durable outbox) and what the street sends down (actions taken at the street), plus
 * the JSON Schemas the hub validates them with. Gateway and hub both import these; neither has
 * its own copy.
 */

/** What a gateway sends up. Raw readings stay in the community (data minimisation). */
export const UPLINK_KINDS = ['incident', 'alert', 'device_health', 'site_mode', 'action_result'] as const;
export type UplinkKind = (typeof UPLINK_KINDS)[number];

/**
 * One record of a gateway's uplink outbox. `seq` is the gateway's outbox sequence: it starts at
 * 1 and has no gaps, so the hub stores record n+1 only after record n (order per gateway, hence
 * per incident) and answers a resent record as a duplicate (exactly once). `sig` is the
 * HMAC-SHA256 of `uplinkSigningText(...)` under the gateway's key, hex.
 */
export interface UplinkRecord {
  seq: number;
  kind: UplinkKind;
  /** When the gateway staged it (ISO 8601); the hub's uplink delay is measured from here. */
  at: string;
  /** The record's JSON text, signed as sent (an incident view, an alert summary, …). */
  payload: string;
  sig: string;
}

export interface UplinkBatch {
  siteId: string;
  records: UplinkRecord[];
}

/** Why the hub refused a record or request; each refusal is also kept in `GET /api/hub/refusals`. */
export const UPLINK_REFUSALS = [
  'unknown_gateway',
  'bad_signature',
  'foreign_site',
  'replay_mismatch',
  'sequence_gap',
  'malformed_payload',
] as const;
export type UplinkRefusal = (typeof UPLINK_REFUSALS)[number];

export interface UplinkOutcome {
  seq: number;
  outcome: 'stored' | 'duplicate' | 'refused';
  reason?: UplinkRefusal;
  message?: string;
}

export interface UplinkResponse {
  /** Every record up to this seq is stored at the hub; the gateway may forget them. */
  storedThrough: number;
  results: UplinkOutcome[];
}

/** What the street sends down to a community gateway. */
export const DOWNLINK_KINDS = ['incident_accept', 'incident_hand_back', 'site_mode', 'silence'] as const;
export type DownlinkKind = (typeof DOWNLINK_KINDS)[number];

export interface DownlinkAction {
  /** Per-gateway sequence; the gateway resumes from the last one it applied. */
  seq: number;
  kind: DownlinkKind;
  /** Street account that took the action. */
  by: string;
  at: string;
  body: DownlinkBody;
}

export type DownlinkBody =
  | { incidentId: string; note: string | null }
  | { mode: 'normal' | 'emergency'; reason: string | null }
  | {
      matchers: { device?: string; place?: string; kind?: string; building?: string; household?: string };
      startsAt: string;
      endsAt: string;
      reason: string;
    };

export interface DownlinkPage {
  actions: DownlinkAction[];
}

/** The gateway's answer to one street action, sent back up as an `action_result` record. */
export interface ActionResult {
  downlinkSeq: number;
  kind: DownlinkKind;
  outcome: 'applied' | 'refused';
  message: string | null;
}

/** The text an uplink record's signature covers: who, which, what, when, and the exact payload. */
export function uplinkSigningText(siteId: string, r: Omit<UplinkRecord, 'sig'>): string {
  return `${siteId}\n${r.seq}\n${r.kind}\n${r.at}\n${r.payload}`;
}

export const uplinkBatchSchema = {
  type: 'object',
  required: ['siteId', 'records'],
  additionalProperties: false,
  properties: {
    siteId: { type: 'string', minLength: 1, maxLength: 64 },
    records: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['seq', 'kind', 'at', 'payload', 'sig'],
        additionalProperties: false,
        properties: {
          seq: { type: 'integer', minimum: 1 },
          kind: { type: 'string', enum: [...UPLINK_KINDS] },
          at: { type: 'string', format: 'date-time' },
          payload: { type: 'string', maxLength: 262144 },
          sig: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        },
      },
    },
  },
} as const;
