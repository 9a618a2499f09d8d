/** Checks a fact's field against what the codecs deliver for the rule's source and device kinds. */
import {
  EVENT_FIELDS,
  EXTRA_FIELD_RE,
  HEALTH_FIELDS,
  READING_FIELDS,
} from '../../contracts/payload-fields.ts';
import { DEVICE_KINDS, type DeviceKind } from '../../contracts/readings.ts';
import type { InputSource } from './types.ts';

/** What a leaf reads from: the rule's source, and the device kinds it names (none = every kind). */
export interface FieldScope {
  source: InputSource;
  deviceKind: readonly DeviceKind[] | undefined;
}

/** null when the field exists for the scope, else a message naming the fields that do. */
export function unknownFieldProblem(field: string, scope: FieldScope): string | null {
  const kinds = scope.deviceKind?.length ? scope.deviceKind : DEVICE_KINDS;
  // null stands for an open payload: any `name_unit` field may arrive.
  const lists: Array<readonly string[] | null> =
    scope.source === 'health'
      ? [HEALTH_FIELDS]
      : scope.source === 'event'
        ? [EVENT_FIELDS, null]
        : kinds.map((k) => READING_FIELDS[k]);
  const known = new Set(lists.flatMap((l) => l ?? []));
  if (known.has(field)) return null;
  const open = lists.includes(null);
  if (open && EXTRA_FIELD_RE.test(field)) return null;
  const of = scope.source === 'reading' ? `readings of ${kinds.join(', ')}` : `${scope.source} input`;
  const choices = [...[...known].sort(), ...(open ? ['any name_unit field'] : [])];
  return `unknown field '${field}' in ${of}; known: ${choices.join(', ')}`;
}
