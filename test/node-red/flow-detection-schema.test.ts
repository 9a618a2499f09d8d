/**
 * The Node-RED nodes validate a flow detection with the gateway's own schema, shipped to them as
 * generated JSON (they are CommonJS and installed on their own): the committed file is what
 * `npm run generate:node-red` writes now.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_RED_SCHEMA_FILE, nodeRedSchemaText } from '../../scripts/generate-node-red-schema.ts';
import { SEVERITIES } from '../../gateway/src/contracts/alerts.ts';

describe('flow-detection schema for the Node-RED nodes', () => {
  it('is the gateway schema as generated, severities from the contract', () => {
    const committed = readFileSync(NODE_RED_SCHEMA_FILE, 'utf8');
    expect(JSON.parse(committed)).toEqual(JSON.parse(nodeRedSchemaText()));
    expect(JSON.parse(committed).properties.severity.enum).toEqual([...SEVERITIES]);
  });
});
