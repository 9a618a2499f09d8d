/** The site file's JSON Schema, for the loader and for API routes that accept parts of a site. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const SITE_SCHEMA = require('./site.schema.json') as { definitions: Record<string, object> } & Record<
  string,
  unknown
>;

/** A self-contained schema for one definition (its `$ref`s resolve inside it). */
export function siteDefinitionSchema(name: string): object {
  return { ...SITE_SCHEMA.definitions[name], definitions: SITE_SCHEMA.definitions };
}
