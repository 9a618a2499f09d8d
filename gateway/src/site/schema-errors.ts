/**
 * JSON-schema (Ajv) errors as the sentences the site, scenario and rule loaders report after
 * the place they point at (`file:line:col path <sentence>`).
 */
import type { ErrorObject } from 'ajv';

export function describeSchemaError(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `has unknown property '${String(e.params.additionalProperty)}'`;
    case 'required':
      return `is missing required property '${String(e.params.missingProperty)}'`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(e.params.allowedValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}
