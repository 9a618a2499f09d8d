/** Compiles a payload schema once and turns its errors into one precise message. */
import { Ajv, type ErrorObject } from 'ajv';
import { CodecError } from './codec.ts';

const ajv = new Ajv({ allErrors: true, strict: false });

export function schemaChecker<T>(schema: object): (data: unknown) => T {
  const validate = ajv.compile(schema);
  return (data) => {
    if (validate(data)) return data as T;
    throw new CodecError('schema_violation', formatErrors(validate.errors ?? []));
  };
}

function formatErrors(errors: ErrorObject[]): string {
  // oneOf reports every branch; the most specific errors are the deepest ones.
  const deepest = Math.max(...errors.map((e) => e.instancePath.split('/').length));
  const relevant = errors.filter(
    (e) => e.keyword !== 'oneOf' && e.instancePath.split('/').length >= deepest - 1,
  );
  const shown = (relevant.length ? relevant : errors).slice(0, 5);
  return shown
    .map((e) => {
      const where = e.instancePath || '/';
      if (e.keyword === 'required') return `${where} is missing '${String(e.params.missingProperty)}'`;
      if (e.keyword === 'additionalProperties')
        return `${where} has unknown field '${String(e.params.additionalProperty)}'`;
      if (e.keyword === 'propertyNames')
        return `${where} has a field name that is not snake_case with a unit suffix`;
      return `${where} ${e.message ?? e.keyword}`;
    })
    .join('; ');
}
