import type { JsonSchema } from '../validation.ts';

/**
 * The consumer's (tolerant) view of a schema: the same document with every closed content model opened
 * (`additionalProperties: false` becomes `true`). Consumers built on it accept fields added by later versions.
 *
 * @example const tolerant = tolerantView(userCreatedV1.schema);
 */
export function tolerantView(schema: JsonSchema): JsonSchema {
  const open = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(open);
    if (node === null || typeof node !== 'object') return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      copy[key] = key === 'additionalProperties' && value === false ? true : open(value);
    }
    return copy;
  };
  return open(schema) as JsonSchema;
}
