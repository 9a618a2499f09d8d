/**
 * What the privacy routes share (issue 18): who takes consent and who reads the access log, the
 * access-log schema and residents' request bodies.
 */
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { Role } from '../contracts/site.ts';
import { parseTimeParam, timeParam } from './schemas.ts';

export const CONSENT_TAKERS: Role[] = ['special_care', 'grid_worker', 'micro_grid_leader'];
export const OFFICER: Role[] = ['dpo'];

export const str = { type: 'string' } as const;
export const strOrNull = { type: ['string', 'null'] } as const;
export const anyObject = { type: 'object', additionalProperties: true } as const;

export const auditSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: str,
    actor: str,
    roles: { type: 'array', items: str },
    action: str,
    subject: str,
    fields: { type: 'array', items: str },
    ip: strOrNull,
    purpose: strOrNull,
    detail: anyObject,
    prevHash: str,
    hash: str,
  },
} as const;

export const requestMetaProps = {
  requestedBy: Type.Unsafe<'resident' | 'guardian' | 'family'>({ enum: ['resident', 'guardian', 'family'] }),
  receivedAt: Type.Optional(
    Type.String({ ...timeParam, description: 'when the request came in (default: now)' }),
  ),
  note: Type.Optional(Type.String({ maxLength: 500 })),
};

export const requestBody = Type.Object(requestMetaProps, { additionalProperties: false });

export type RequestBody = Static<typeof requestBody>;

export const iso = (ms: number): string => new Date(ms).toISOString();

export const requestMeta = (b: RequestBody) => ({
  requestedBy: b.requestedBy,
  ...(b.receivedAt ? { receivedAt: parseTimeParam(b.receivedAt, 'receivedAt')! } : {}),
  ...(b.note ? { note: b.note } : {}),
});
