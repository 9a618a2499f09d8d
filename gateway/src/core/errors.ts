/**
 * The error catalogue: every error the gateway throws carries a stable code
 * `WEIGE_ERR_<AREA>_<WHAT>` (fastify's `FST_ERR_*`) and an HTTP status, mapped in one place by the
 * API's error handler. Areas: CONFIG, SITE, AUTH, API (generic request problems), TRANSPORT, STORE,
 * INGEST, STAGE (a pipeline stage's lifecycle), INCIDENT, HUB.
 */

export class WeigeError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, statusCode = 500, details?: unknown) {
    super(message);
    this.name = 'WeigeError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

const CATALOGUE = {
  configInvalid: { code: 'WEIGE_ERR_CONFIG_INVALID', status: 500 },
  siteInvalid: { code: 'WEIGE_ERR_SITE_INVALID', status: 500 },
  authRequired: { code: 'WEIGE_ERR_AUTH_REQUIRED', status: 401 },
  authBadCredentials: { code: 'WEIGE_ERR_AUTH_BAD_CREDENTIALS', status: 401 },
  authForbidden: { code: 'WEIGE_ERR_AUTH_FORBIDDEN', status: 403 },
  /** `details.retryAfterS` becomes the Retry-After header (docs/CONTRACT.md, "HTTP API"). */
  tooManyAttempts: { code: 'WEIGE_ERR_AUTH_TOO_MANY_ATTEMPTS', status: 429 },
  /** Too many password checks waiting; `details.retryAfterS` as above. */
  authBusy: { code: 'WEIGE_ERR_AUTH_BUSY', status: 503 },
  notFound: { code: 'WEIGE_ERR_API_NOT_FOUND', status: 404 },
  conflict: { code: 'WEIGE_ERR_API_CONFLICT', status: 409 },
  badRequest: { code: 'WEIGE_ERR_API_BAD_REQUEST', status: 400 },
  /** Anything not in this catalogue that reached the API's error handler (a bug). */
  internal: { code: 'WEIGE_ERR_API_INTERNAL', status: 500 },
  /** The broker or the external MQTT client is not started (yet, or any more). */
  transportNotStarted: { code: 'WEIGE_ERR_TRANSPORT_NOT_STARTED', status: 503 },
  /** The store cannot take a write now (disk full, database locked): retry later. */
  storeUnavailable: { code: 'WEIGE_ERR_STORE_UNAVAILABLE', status: 503 },
  /** The data directory cannot be created, opened or written (start-up). */
  dataDirUnusable: { code: 'WEIGE_ERR_STORE_DATA_DIR_UNUSABLE', status: 500 },
  /** A device message was not taken (store unavailable, device over its limits): no PUBACK. */
  ingestRefused: { code: 'WEIGE_ERR_INGEST_REFUSED', status: 503 },
  /** A stage's facade was called before its start() or after its stop(). */
  stageNotRunning: { code: 'WEIGE_ERR_STAGE_NOT_RUNNING', status: 503 },
  /** A workflow step the incident's state does not allow (contracts/incidents.ts, the transition table). */
  incidentTransitionRefused: { code: 'WEIGE_ERR_INCIDENT_TRANSITION_REFUSED', status: 409 },
  /** The street hub could not be reached or answered with an error. */
  hubLinkFailed: { code: 'WEIGE_ERR_HUB_LINK_FAILED', status: 502 },
} as const satisfies Record<string, { code: `WEIGE_ERR_${string}`; status: number }>;

export type ErrorName = keyof typeof CATALOGUE;
export type ErrorCode = (typeof CATALOGUE)[ErrorName]['code'];

type ErrorFactory = (message: string, details?: unknown) => WeigeError;

export const Errors = Object.fromEntries(
  Object.entries(CATALOGUE).map(([name, { code, status }]) => [
    name,
    (message: string, details?: unknown) => new WeigeError(code, message, status, details),
  ]),
) as { readonly [N in ErrorName]: ErrorFactory };

/** The code of a catalogue entry, for replies built without throwing (the API's error handler). */
export function errorCode(name: ErrorName): ErrorCode {
  return CATALOGUE[name].code;
}

/** Every entry, for the catalogue's own checks and the docs. */
export const ERROR_CATALOGUE: Readonly<Record<ErrorName, { code: ErrorCode; status: number }>> = CATALOGUE;

/** True for `Errors.ingestRefused`: the transport withholds the acknowledgement, quietly. */
export function isIngestRefusal(err: unknown): err is WeigeError {
  return err instanceof WeigeError && err.code === CATALOGUE.ingestRefused.code;
}
