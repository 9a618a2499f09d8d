/**
 * The error catalogue (core/errors.ts): every code names its area (`WEIGE_ERR_<AREA>_<WHAT>`), no
 * two entries share a code, and a stage asked for before it runs says so instead of blaming the
 * transport.
 */
import { describe, expect, it } from 'vitest';
import { AlertingModule } from '../../../gateway/src/alerting/module.ts';
import { ERROR_CATALOGUE, Errors, WeigeError } from '../../../gateway/src/core/errors.ts';
import { PrivacyModule } from '../../../gateway/src/privacy/module.ts';

const AREAS = ['CONFIG', 'SITE', 'AUTH', 'API', 'TRANSPORT', 'STORE', 'INGEST', 'STAGE', 'INCIDENT', 'HUB'];

describe('error catalogue', () => {
  it('gives every entry a code of the form WEIGE_ERR_<AREA>_<WHAT>, one code per entry', () => {
    const codes = Object.values(ERROR_CATALOGUE).map((e) => e.code);
    for (const code of codes)
      expect(code).toMatch(new RegExp(`^WEIGE_ERR_(${AREAS.join('|')})_[A-Z]+(_[A-Z]+)*$`));
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('builds errors carrying the entry code and HTTP status', () => {
    const err = Errors.tooManyAttempts('slow down', { retryAfterS: 30 });
    expect(err).toBeInstanceOf(WeigeError);
    expect(err).toMatchObject({
      code: 'WEIGE_ERR_AUTH_TOO_MANY_ATTEMPTS',
      statusCode: 429,
      message: 'slow down',
      details: { retryAfterS: 30 },
    });
  });

  it('reports a stage used before it started as not running (503), not as a transport failure', () => {
    expect(() => new AlertingModule().running).toThrow(
      expect.objectContaining({ code: 'WEIGE_ERR_STAGE_NOT_RUNNING', statusCode: 503 }),
    );
    expect(() => new PrivacyModule().retention).toThrow(
      expect.objectContaining({ code: 'WEIGE_ERR_STAGE_NOT_RUNNING', message: 'privacy is not running' }),
    );
  });
});
