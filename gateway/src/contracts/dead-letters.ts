/**
 * Why a message was rejected or refused (docs/CONTRACT.md, "Dead-letter reasons"): the `reason`
 * of every dead letter (GET /api/dead-letters) and the label of weige_messages_rejected_total and
 * weige_messages_refused_total.
 */

/** Rejected: dead-lettered and acknowledged (resending the same message cannot help). */
export const REJECT_REASONS = [
  'payload_too_large',
  'unknown_topic',
  'topic_not_allowed',
  'unknown_device',
  'codec_mismatch',
  'malformed_json',
  'schema_violation',
  'non_finite_number',
  'bad_timestamp',
  'timestamp_out_of_range',
  'future_timestamp',
  'too_late',
  'counter_regression',
  'unsupported_stream',
  'unknown_vendor_value',
  'codec_error',
  'internal_error',
] as const;

/**
 * Refused: not acknowledged (the connection is closed, so the device resends later). The
 * device-limit reasons are also dead-lettered, once per device and minute, with the count.
 * `overload`: the ingest queue is full; a QoS 0 message is shed (dropped), a QoS 1 message waits
 * unacknowledged for room; dead-lettered like the device limits.
 */
export const REFUSE_REASONS = [
  'rate_limited',
  'byte_rate_limited',
  'quota_exceeded',
  'overload',
  'store_unavailable',
] as const;

/**
 * Not a device message: a Node-RED flow's detection (weige/flows/{flowId}/detection, the
 * weige-raise node) that fails validation is dead-lettered with this reason, acknowledged.
 */
export const FLOW_REJECT_REASONS = ['flow_detection_invalid'] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];
export type RefuseReason = (typeof REFUSE_REASONS)[number];
export type FlowRejectReason = (typeof FLOW_REJECT_REASONS)[number];
/** The `reason` of a dead letter: `store_unavailable` is the one refusal never dead-lettered. */
export type DeadLetterReason = RejectReason | Exclude<RefuseReason, 'store_unavailable'> | FlowRejectReason;
