import type { JsonSchema } from '../validation.ts';
import { COMPATIBLE_CHANGES } from './differences.ts';
import type { DifferenceType } from './differences.ts';

/**
 * One difference between two schemas: its Confluent type, where in the schema (`#/properties/…`) and which field
 * of the data it concerns (`detail.data.email`, `(root)` for the whole value).
 *
 * @example { type: 'TYPE_CHANGED', schemaPath: '#/properties/detail/properties/data/properties/email', field: 'detail.data.email' }
 */
export interface Difference {
  readonly type: DifferenceType;
  readonly schemaPath: string;
  readonly field: string;
}

type Node = Record<string, unknown>;

const MAX_DEPTH = 128;

interface Side {
  readonly root: JsonSchema;
  readonly node: Node | boolean | undefined;
}

interface Context {
  readonly differences: Difference[];
  readonly schemaPath: string;
  readonly field: string;
}

/**
 * Compares the schema data was written with (`original`) and the schema reading it (`update`) with Confluent
 * Schema Registry's JSON Schema rules (`SchemaDiff`/`ObjectSchemaDiff`/…): the reader accepts everything the writer
 * could produce iff every difference is in `COMPATIBLE_CHANGES`. Open content model: `additionalProperties` absent
 * or `true` and no `patternProperties`; closed: `additionalProperties: false`; partially open: a schema in
 * `additionalProperties` or `patternProperties`. Local `$ref`s are followed.
 *
 * Hand-written port, limited to draft-4 keywords: `dependencies`, tuple `items`/`additionalItems` and `not` are
 * not compared; `type` with `enum` is compared as an enum plus its type.
 *
 * @example compareSchemas(v1.schema, v2.schema).filter((d) => !COMPATIBLE_CHANGES.has(d.type));
 */
export function compareSchemas(original: JsonSchema, update: JsonSchema): Difference[] {
  const ctx: Context = { differences: [], schemaPath: '#', field: '' };
  compare(ctx, { root: original, node: original }, { root: update, node: update });
  return ctx.differences;
}

/**
 * The differences of `compareSchemas` that Confluent rejects.
 *
 * @example incompatibleDifferences(v1.schema, v2.schema); // [] — v2 only adds an optional field to closed data
 */
export function incompatibleDifferences(original: JsonSchema, update: JsonSchema): Difference[] {
  return compareSchemas(original, update).filter((d) => !COMPATIBLE_CHANGES.has(d.type));
}

function add(ctx: Context, type: DifferenceType, keyword?: string): void {
  ctx.differences.push({
    type,
    schemaPath: keyword ? `${ctx.schemaPath}/${keyword}` : ctx.schemaPath,
    field: ctx.field === '' ? '(root)' : ctx.field,
  });
}

function enter(ctx: Context, schemaSegment: string, fieldSegment?: string): Context {
  return {
    ...ctx,
    schemaPath: `${ctx.schemaPath}/${schemaSegment}`,
    field:
      fieldSegment === undefined
        ? ctx.field
        : ctx.field === ''
          ? fieldSegment
          : `${ctx.field}${fieldSegment.startsWith('[') ? '' : '.'}${fieldSegment}`,
  };
}

function resolve(side: Side): Side {
  let node = side.node;
  for (
    let hops = 0;
    node && typeof node === 'object' && typeof node['$ref'] === 'string' && hops < 32;
    hops += 1
  ) {
    const ref = node['$ref'] as string;
    let target: unknown = ref === '#' ? side.root : undefined;
    if (ref.startsWith('#/')) {
      target = side.root;
      for (const key of ref.slice(2).split('/')) {
        target =
          target && typeof target === 'object'
            ? (target as Node)[key.replace(/~1/g, '/').replace(/~0/g, '~')]
            : undefined;
      }
    }
    node = target as Node | undefined;
  }
  return { root: side.root, node };
}

type Kind =
  | 'empty'
  | 'false'
  | 'enum'
  | 'combined'
  | 'object'
  | 'array'
  | 'string'
  | 'number'
  | 'boolean'
  | 'null'
  | 'union';

function kindOf(node: Node | boolean): Kind {
  if (node === true) return 'empty';
  if (node === false) return 'false';
  if (Array.isArray(node['enum'])) return 'enum';
  if (node['allOf'] || node['anyOf'] || node['oneOf']) return 'combined';
  const type = node['type'];
  if (Array.isArray(type)) return type.length === 1 ? kindOfType(String(type[0])) : 'union';
  if (typeof type === 'string') return kindOfType(type);
  if (node['properties'] || node['required'] || node['additionalProperties'] !== undefined) return 'object';
  if (node['items']) return 'array';
  return 'empty';
}

function kindOfType(type: string): Kind {
  return type === 'integer' ? 'number' : (type as Kind);
}

function compare(ctx: Context, originalSide: Side, updateSide: Side): void {
  const original = resolve(originalSide);
  const update = resolve(updateSide);
  if (original.node === undefined && update.node === undefined) return;
  if (original.node === undefined) return add(ctx, 'SCHEMA_ADDED');
  if (update.node === undefined) return add(ctx, 'SCHEMA_REMOVED');

  const originalKind = kindOf(original.node);
  const updateKind = kindOf(update.node);
  if (originalKind !== updateKind) {
    if (originalKind === 'false' || updateKind === 'empty') return;
    return add(ctx, 'TYPE_CHANGED');
  }
  if (typeof original.node === 'boolean' || typeof update.node === 'boolean') return;

  if (ctx.schemaPath.split('/').length > MAX_DEPTH) return; // a recursive $ref: stop where Confluent's visited set would

  const o = original.node;
  const u = update.node;
  if (o['id'] !== u['id']) add(ctx, 'ID_CHANGED');
  if (o['title'] !== u['title']) add(ctx, 'TITLE_CHANGED');
  if (o['description'] !== u['description']) add(ctx, 'DESCRIPTION_CHANGED');
  if (JSON.stringify(o['default']) !== JSON.stringify(u['default'])) add(ctx, 'DEFAULT_CHANGED');

  switch (originalKind) {
    case 'string':
      return compareString(ctx, o, u);
    case 'number':
      return compareNumber(ctx, o, u);
    case 'enum':
      if (JSON.stringify(o['type']) !== JSON.stringify(u['type'])) add(ctx, 'TYPE_CHANGED');
      return compareEnum(ctx, o, u);
    case 'union':
      return compareUnion(ctx, o, u);
    case 'combined':
      return compareCombined(ctx, original, update);
    case 'object':
      return compareObject(ctx, original, update);
    case 'array':
      return compareArray(ctx, original, update);
    default:
      return;
  }
}

function compareBound(
  ctx: Context,
  keyword: string,
  o: unknown,
  u: unknown,
  types: [DifferenceType, DifferenceType, DifferenceType, DifferenceType],
): void {
  const [added, removed, increased, decreased] = types;
  if (o === u) return;
  if (typeof o !== 'number' && typeof u === 'number') add(ctx, added, keyword);
  else if (typeof o === 'number' && typeof u !== 'number') add(ctx, removed, keyword);
  else if (typeof o === 'number' && typeof u === 'number') add(ctx, o < u ? increased : decreased, keyword);
}

function compareString(ctx: Context, o: Node, u: Node): void {
  compareBound(ctx, 'maxLength', o['maxLength'], u['maxLength'], [
    'MAX_LENGTH_ADDED',
    'MAX_LENGTH_REMOVED',
    'MAX_LENGTH_INCREASED',
    'MAX_LENGTH_DECREASED',
  ]);
  compareBound(ctx, 'minLength', o['minLength'], u['minLength'], [
    'MIN_LENGTH_ADDED',
    'MIN_LENGTH_REMOVED',
    'MIN_LENGTH_INCREASED',
    'MIN_LENGTH_DECREASED',
  ]);
  if (o['pattern'] === undefined && u['pattern'] !== undefined) add(ctx, 'PATTERN_ADDED', 'pattern');
  else if (o['pattern'] !== undefined && u['pattern'] === undefined) add(ctx, 'PATTERN_REMOVED', 'pattern');
  else if (o['pattern'] !== u['pattern']) add(ctx, 'PATTERN_CHANGED', 'pattern');
}

function compareNumber(ctx: Context, o: Node, u: Node): void {
  compareBound(ctx, 'maximum', o['maximum'], u['maximum'], [
    'MAXIMUM_ADDED',
    'MAXIMUM_REMOVED',
    'MAXIMUM_INCREASED',
    'MAXIMUM_DECREASED',
  ]);
  compareBound(ctx, 'minimum', o['minimum'], u['minimum'], [
    'MINIMUM_ADDED',
    'MINIMUM_REMOVED',
    'MINIMUM_INCREASED',
    'MINIMUM_DECREASED',
  ]);
  const om = o['multipleOf'];
  const um = u['multipleOf'];
  if (om !== um) {
    if (typeof om !== 'number') add(ctx, 'MULTIPLE_OF_ADDED', 'multipleOf');
    else if (typeof um !== 'number') add(ctx, 'MULTIPLE_OF_REMOVED', 'multipleOf');
    else if (um % om === 0) add(ctx, 'MULTIPLE_OF_EXPANDED', 'multipleOf');
    else if (om % um === 0) add(ctx, 'MULTIPLE_OF_REDUCED', 'multipleOf');
    else add(ctx, 'MULTIPLE_OF_CHANGED', 'multipleOf');
  }
  const oInteger = o['type'] === 'integer';
  const uInteger = u['type'] === 'integer';
  if (oInteger !== uInteger) add(ctx, oInteger ? 'TYPE_EXTENDED' : 'TYPE_NARROWED', 'type');
}

function compareEnum(ctx: Context, o: Node, u: Node): void {
  const ov = (o['enum'] as unknown[]).map((v) => JSON.stringify(v));
  const uv = (u['enum'] as unknown[]).map((v) => JSON.stringify(v));
  if (ov.length === uv.length && ov.every((v) => uv.includes(v))) return;
  if (ov.every((v) => uv.includes(v))) add(ctx, 'ENUM_ARRAY_EXTENDED', 'enum');
  else if (uv.every((v) => ov.includes(v))) add(ctx, 'ENUM_ARRAY_NARROWED', 'enum');
  else add(ctx, 'ENUM_ARRAY_CHANGED', 'enum');
}

function compareUnion(ctx: Context, o: Node, u: Node): void {
  const ot = (o['type'] as string[]).map(kindOfType);
  const ut = (u['type'] as string[]).map(kindOfType);
  if (ot.every((t) => ut.includes(t))) {
    if (ut.length > ot.length) add(ctx, 'SUM_TYPE_EXTENDED', 'type');
  } else if (ut.every((t) => ot.includes(t))) add(ctx, 'SUM_TYPE_NARROWED', 'type');
  else add(ctx, 'COMBINED_TYPE_CHANGED', 'type');
}

function compareCombined(ctx: Context, original: Side, update: Side): void {
  const o = original.node as Node;
  const u = update.node as Node;
  const criterion = (n: Node) => (n['allOf'] ? 'allOf' : n['anyOf'] ? 'anyOf' : 'oneOf');
  const oc = criterion(o);
  const uc = criterion(u);
  if (oc !== uc) return add(ctx, 'COMBINED_TYPE_CHANGED');
  const os = o[oc] as unknown[];
  const us = u[uc] as unknown[];
  if (us.length > os.length) add(ctx, oc === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED', oc);
  else if (us.length < os.length)
    add(ctx, oc === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED', oc);
  for (let i = 0; i < Math.min(os.length, us.length); i += 1) {
    compare(
      enter(ctx, `${oc}/${i}`),
      { root: original.root, node: os[i] as Node },
      { root: update.root, node: us[i] as Node },
    );
  }
}

function isOpenContentModel(n: Node): boolean {
  const patterns = n['patternProperties'] as Node | undefined;
  return (
    (!patterns || Object.keys(patterns).length === 0) &&
    (n['additionalProperties'] === undefined || n['additionalProperties'] === true)
  );
}

function additionalSchema(n: Node): Node | undefined {
  const ap = n['additionalProperties'];
  return ap && typeof ap === 'object' ? (ap as Node) : undefined;
}

function schemaFromPartiallyOpenContentModel(n: Node, property: string): Node | undefined {
  const patterns = (n['patternProperties'] as Record<string, Node> | undefined) ?? {};
  for (const [pattern, schema] of Object.entries(patterns)) {
    if (new RegExp(pattern, 'u').test(property)) return schema;
  }
  return additionalSchema(n);
}

/** Both sides of an object schema, with what each declares, as {@link compareObject}'s steps read them. */
interface ObjectPair {
  readonly original: Side;
  readonly update: Side;
  readonly o: Node;
  readonly u: Node;
  readonly oProps: Record<string, Node>;
  readonly uProps: Record<string, Node>;
  readonly oRequired: ReadonlySet<string>;
  readonly uRequired: ReadonlySet<string>;
}

function objectPair(original: Side, update: Side): ObjectPair {
  const o = original.node as Node;
  const u = update.node as Node;
  return {
    original,
    update,
    o,
    u,
    oProps: (o['properties'] as Record<string, Node> | undefined) ?? {},
    uProps: (u['properties'] as Record<string, Node> | undefined) ?? {},
    oRequired: new Set((o['required'] as string[] | undefined) ?? []),
    uRequired: new Set((u['required'] as string[] | undefined) ?? []),
  };
}

/** Whether the update's schema of property `name` declares a default. */
function updateHasDefault(pair: ObjectPair, name: string): boolean {
  const resolved = resolve({ root: pair.update.root, node: pair.uProps[name] });
  return !!resolved.node && typeof resolved.node === 'object' && 'default' in resolved.node;
}

/** A property present on both sides that became required, or stopped being required. */
function compareRequired(ctx: Context, pair: ObjectPair): void {
  for (const name of Object.keys(pair.oProps)) {
    if (!(name in pair.uProps)) continue;
    const at = enter(ctx, `required/${name}`, name);
    if (pair.oRequired.has(name) && !pair.uRequired.has(name)) add(at, 'REQUIRED_ATTRIBUTE_REMOVED');
    else if (!pair.oRequired.has(name) && pair.uRequired.has(name)) {
      add(
        at,
        updateHasDefault(pair, name) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED',
      );
    }
  }
}

/**
 * Compares a property's schema with the schema a partially open content model (`patternProperties`,
 * `additionalProperties`) gives it on the other side; records the differences found under `ctx` and returns whether
 * they are all compatible.
 */
function coveredByPartialModel(ctx: Context, at: Context, original: Side, update: Side): boolean {
  const sub: Context = { ...at, differences: [] };
  compare(sub, original, update);
  ctx.differences.push(...sub.differences);
  return sub.differences.every((d) => COMPATIBLE_CHANGES.has(d.type));
}

/** A property the original declares and the update does not. */
function comparePropertyRemoved(ctx: Context, at: Context, pair: ObjectPair, name: string): void {
  const oSchema = pair.oProps[name];
  if (isOpenContentModel(pair.u)) return add(at, 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
  const partial = schemaFromPartiallyOpenContentModel(pair.u, name);
  if (partial) {
    const covered = coveredByPartialModel(
      ctx,
      at,
      { root: pair.original.root, node: oSchema },
      { root: pair.update.root, node: partial },
    );
    add(
      at,
      covered
        ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
    return;
  }
  add(
    at,
    (oSchema as unknown) === false
      ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
      : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  );
}

/** A property the update declares and the original does not. */
function comparePropertyAdded(ctx: Context, at: Context, pair: ObjectPair, name: string): void {
  const uSchema = pair.uProps[name];
  if (isOpenContentModel(pair.o)) {
    const resolved = resolve({ root: pair.update.root, node: uSchema }).node;
    const empty =
      resolved === true || (!!resolved && typeof resolved === 'object' && Object.keys(resolved).length === 0);
    add(
      at,
      empty
        ? 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
        : 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
    );
    return;
  }
  const partial = schemaFromPartiallyOpenContentModel(pair.o, name);
  if (partial) {
    const covered = coveredByPartialModel(
      ctx,
      at,
      { root: pair.original.root, node: partial },
      { root: pair.update.root, node: uSchema },
    );
    add(
      at,
      covered
        ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
        : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
  }
  if (!pair.uRequired.has(name)) return add(at, 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
  add(
    at,
    updateHasDefault(pair, name)
      ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
      : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
  );
}

/** Every property either side declares, in name order: removed, added, or compared schema to schema. */
function compareProperties(ctx: Context, pair: ObjectPair): void {
  for (const name of [...new Set([...Object.keys(pair.oProps), ...Object.keys(pair.uProps)])].sort()) {
    const at = enter(ctx, `properties/${name}`, name);
    const oSchema = pair.oProps[name];
    const uSchema = pair.uProps[name];
    if (uSchema === undefined) comparePropertyRemoved(ctx, at, pair, name);
    else if (oSchema === undefined) comparePropertyAdded(ctx, at, pair, name);
    else compare(at, { root: pair.original.root, node: oSchema }, { root: pair.update.root, node: uSchema });
  }
}

/** `additionalProperties`: permitted or not, and its schema when both sides give one. */
function compareAdditionalProperties(ctx: Context, pair: ObjectPair): void {
  const { o, u } = pair;
  const apCtx = enter(ctx, 'additionalProperties');
  const oPermits = o['additionalProperties'] !== false;
  const uPermits = u['additionalProperties'] !== false;
  if (oPermits !== uPermits)
    add(apCtx, uPermits ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED');
  else if (!additionalSchema(o) && additionalSchema(u)) add(apCtx, 'ADDITIONAL_PROPERTIES_NARROWED');
  else if (additionalSchema(o) && !additionalSchema(u)) add(apCtx, 'ADDITIONAL_PROPERTIES_EXTENDED');
  else if (additionalSchema(o) && additionalSchema(u)) {
    compare(
      apCtx,
      { root: pair.original.root, node: additionalSchema(o) },
      { root: pair.update.root, node: additionalSchema(u) },
    );
  }
}

function compareObject(ctx: Context, original: Side, update: Side): void {
  const pair = objectPair(original, update);
  compareRequired(ctx, pair);
  compareProperties(ctx, pair);
  compareAdditionalProperties(ctx, pair);
  compareBound(ctx, 'maxProperties', pair.o['maxProperties'], pair.u['maxProperties'], [
    'MAX_PROPERTIES_ADDED',
    'MAX_PROPERTIES_REMOVED',
    'MAX_PROPERTIES_INCREASED',
    'MAX_PROPERTIES_DECREASED',
  ]);
  compareBound(ctx, 'minProperties', pair.o['minProperties'], pair.u['minProperties'], [
    'MIN_PROPERTIES_ADDED',
    'MIN_PROPERTIES_REMOVED',
    'MIN_PROPERTIES_INCREASED',
    'MIN_PROPERTIES_DECREASED',
  ]);
}

function compareArray(ctx: Context, original: Side, update: Side): void {
  const o = original.node as Node;
  const u = update.node as Node;
  compareBound(ctx, 'maxItems', o['maxItems'], u['maxItems'], [
    'MAX_ITEMS_ADDED',
    'MAX_ITEMS_REMOVED',
    'MAX_ITEMS_INCREASED',
    'MAX_ITEMS_DECREASED',
  ]);
  compareBound(ctx, 'minItems', o['minItems'], u['minItems'], [
    'MIN_ITEMS_ADDED',
    'MIN_ITEMS_REMOVED',
    'MIN_ITEMS_INCREASED',
    'MIN_ITEMS_DECREASED',
  ]);
  if (!o['uniqueItems'] && u['uniqueItems']) add(ctx, 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
  else if (o['uniqueItems'] && !u['uniqueItems']) add(ctx, 'UNIQUE_ITEMS_REMOVED', 'uniqueItems');
  const oItems = o['items'];
  const uItems = u['items'];
  if (!Array.isArray(oItems) && !Array.isArray(uItems)) {
    compare(
      enter(ctx, 'items', '[]'),
      { root: original.root, node: oItems as Node | undefined },
      { root: update.root, node: uItems as Node | undefined },
    );
  }
}
