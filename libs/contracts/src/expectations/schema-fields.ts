import type { JsonSchema } from '../validation.ts';

/**
 * Where a dotted path (`detail.data.email`, `detail.items[].sku`) leads in a schema: the field's schema and whether
 * every step on the way is required.
 *
 * @example lookUp(userCreatedV2.schema, 'detail.data.locale'); // { schema: { type: 'string', … }, required: false }
 */
export function lookUp(
  root: JsonSchema,
  path: string,
): { readonly schema: JsonSchema; readonly required: boolean } | undefined {
  let node: JsonSchema | undefined = root;
  let required = true;
  for (const segment of path.split('.').flatMap((s) => s.split(/(?=\[)/))) {
    node = deref(root, node);
    if (!node) return undefined;
    if (segment.startsWith('[')) {
      const items: unknown = node['items'];
      if (!items || typeof items !== 'object' || Array.isArray(items)) return undefined;
      node = items as JsonSchema;
      required = false;
      continue;
    }
    const properties = node['properties'] as Record<string, JsonSchema> | undefined;
    const next = properties?.[segment];
    if (!next) return undefined;
    const requiredList = Array.isArray(node['required']) ? (node['required'] as string[]) : [];
    required = required && requiredList.includes(segment);
    node = next;
  }
  const schema = deref(root, node);
  return schema ? { schema, required } : undefined;
}

/**
 * One way a writer's field differs from what the reader expects of it.
 *
 * @example { keyword: 'type', reader: 'type string', writer: 'type integer' }
 */
export interface FieldDifference {
  readonly keyword: 'type' | 'format' | 'enum';
  readonly reader: string;
  readonly writer: string;
}

/**
 * How a field as a writer version defines it breaks what the reader expects: a type the reader does not accept, a
 * format the reader does not declare, or enum values the reader does not know. Empty when every value the writer
 * may send is one the reader accepts on these three keywords.
 *
 * @example compareField({ type: 'string' }, { type: 'integer' }); // [{ keyword: 'type', reader: 'type string', writer: 'type integer' }]
 */
export function compareField(reader: JsonSchema, writer: JsonSchema): FieldDifference[] {
  const differences: FieldDifference[] = [];
  const readerTypes = typesOf(reader);
  const writerTypes = typesOf(writer);
  if (readerTypes && (!writerTypes || writerTypes.some((t) => !accepts(readerTypes, t)))) {
    differences.push({
      keyword: 'type',
      reader: `type ${readerTypes.join(' | ')}`,
      writer: writerTypes ? `type ${writerTypes.join(' | ')}` : 'any type',
    });
  }
  const readerFormat = reader['format'];
  if (typeof readerFormat === 'string' && writer['format'] !== readerFormat) {
    differences.push({
      keyword: 'format',
      reader: `format "${readerFormat}"`,
      writer: typeof writer['format'] === 'string' ? `format "${writer['format']}"` : 'no format',
    });
  }
  const readerEnum = reader['enum'];
  if (Array.isArray(readerEnum)) {
    const writerEnum = writer['enum'];
    const known = new Set(readerEnum.map((v) => JSON.stringify(v)));
    const unknown = Array.isArray(writerEnum)
      ? writerEnum.filter((v) => !known.has(JSON.stringify(v)))
      : undefined;
    if (!unknown || unknown.length > 0) {
      differences.push({
        keyword: 'enum',
        reader: `enum ${JSON.stringify(readerEnum)}`,
        writer: unknown ? `values ${JSON.stringify(unknown)} it does not know` : 'no enum (any value)',
      });
    }
  }
  return differences;
}

function typesOf(schema: JsonSchema): string[] | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return undefined;
}

function accepts(readerTypes: readonly string[], type: string): boolean {
  return readerTypes.includes(type) || (type === 'integer' && readerTypes.includes('number'));
}

function deref(root: JsonSchema, node: JsonSchema | undefined): JsonSchema | undefined {
  let current = node;
  for (let hops = 0; current && typeof current['$ref'] === 'string' && hops < 32; hops += 1) {
    const ref = current['$ref'];
    if (!ref.startsWith('#/')) return undefined;
    let target: unknown = root;
    for (const key of ref.slice(2).split('/')) {
      target = target && typeof target === 'object' ? (target as Record<string, unknown>)[key] : undefined;
    }
    current = target as JsonSchema | undefined;
  }
  return current;
}
