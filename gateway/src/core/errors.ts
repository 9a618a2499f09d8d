/**
 * The error catalogue: every error the gateway throws carries a stable code and an HTTP status,
 * mapped in one place by the API's error handler.
 */

export class WeigeError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: unknown;

  constructor(code: string, message: string, statusCode = 500, details?: unknown) {
    super(message);
    this.name = 'WeigeError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

type ErrorFactory = (message: string, details?: unknown) => WeigeError;

function defineError(code: string, statusCode: number): ErrorFactory {
  return (message, details) => new WeigeError(code, message, statusCode, details);
}

export const Errors = {
  configInvalid: defineError('WEIGE_ERR_CONFIG_INVALID', 500),
  siteInvalid: defineError('WEIGE_ERR_SITE_INVALID', 500),
  authRequired: defineError('WEIGE_ERR_AUTH_REQUIRED', 401),
  authBadCredentials: defineError('WEIGE_ERR_AUTH_BAD_CREDENTIALS', 401),
  authForbidden: defineError('WEIGE_ERR_AUTH_FORBIDDEN', 403),
  notFound: defineError('WEIGE_ERR_NOT_FOUND', 404),
  conflict: defineError('WEIGE_ERR_CONFLICT', 409),
  badRequest: defineError('WEIGE_ERR_BAD_REQUEST', 400),
  transportFailed: defineError('WEIGE_ERR_TRANSPORT_FAILED', 503),
  storeFailed: defineError('WEIGE_ERR_STORE_FAILED', 500),
  /** `details.retryAfterS` becomes the Retry-After header. */
  tooManyAttempts: defineError('WEIGE_ERR_TOO_MANY_ATTEMPTS', 429),
  /** Too many password checks waiting; `details.retryAfterS` as above. */
  authBusy: defineError('WEIGE_ERR_AUTH_BUSY', 503),
  /** The data directory cannot be created, opened or written (start-up). */
  dataDirUnusable: defineError('WEIGE_ERR_DATA_DIR_UNUSABLE', 500),
  /** A device message was not taken (store unavailable, device over its limits): no PUBACK. */
  ingestRefused: defineError('WEIGE_ERR_INGEST_REFUSED', 503),
} as const;

/** True for `Errors.ingestRefused`: the transport withholds the acknowledgement, quietly. */
export function isIngestRefusal(err: unknown): err is WeigeError {
  return err instanceof WeigeError && err.code === 'WEIGE_ERR_INGEST_REFUSED';
}
