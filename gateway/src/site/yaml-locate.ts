/**
 * Finding the YAML node behind a JSON pointer, so that schema errors in the site file, rule
 * files and scenarios can be reported with the line and column a person can fix.
 */
import { isMap, isSeq, type Node as YamlNode } from 'yaml';

/** The node at `pointer` (`/buildings/2/floors`), or the nearest existing parent. */
export function yamlNodeAt(root: YamlNode | null, pointer: string): YamlNode | null {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    let next: unknown = null;
    if (isMap(node)) next = node.get(key, true);
    else if (isSeq(node)) next = node.get(Number(key), true);
    if (!next || typeof next !== 'object') return node;
    node = next as YamlNode;
  }
  return node;
}
