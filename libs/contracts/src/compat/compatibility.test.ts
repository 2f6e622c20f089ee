import { describe, expect, it } from 'vitest';
import { userCreatedV1, userCreatedV2, userCreatedVersions } from '../user-created.ts';
import type { JsonSchema } from '../validation.ts';
import { checkCompatibility } from './compatibility.ts';
import type { CompatibilityMode } from './compatibility.ts';
import type { DifferenceType } from './differences.ts';

const closed = (properties: JsonSchema, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});
const open = (properties: JsonSchema, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
});
const partial = (properties: JsonSchema): JsonSchema => ({
  type: 'object',
  properties,
  additionalProperties: { type: 'string' },
});
const str = { type: 'string' };
const withField = (field: JsonSchema): JsonSchema => closed({ a: field });

type Row = [string, JsonSchema, JsonSchema, DifferenceType[], DifferenceType[]];

/** [change, old, new, what breaks BACKWARD (new reads old), what breaks FORWARD (old reads new)] */
const rules: Row[] = [
  [
    'adds an optional property to a closed model',
    closed({ a: str }),
    closed({ a: str, b: str }),
    [],
    ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'],
  ],
  [
    'adds an optional property to an open model',
    open({ a: str }),
    open({ a: str, b: str }),
    ['PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'],
    [],
  ],
  [
    'adds a property with an empty schema to an open model',
    open({ a: str }),
    open({ a: str, b: {} }),
    [],
    [],
  ],
  [
    'adds a required property to a closed model',
    closed({ a: str }),
    closed({ a: str, b: str }, ['b']),
    ['REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL'],
    ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'],
  ],
  [
    'adds a required property with a default to a closed model',
    closed({ a: str }),
    closed({ a: str, b: { type: 'string', default: 'x' } }, ['b']),
    [],
    ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'],
  ],
  [
    'removes an optional property from a closed model',
    closed({ a: str, b: str }),
    closed({ a: str }),
    ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'],
    [],
  ],
  [
    'removes a required property from a closed model',
    closed({ a: str, b: str }, ['b']),
    closed({ a: str }),
    ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'],
    ['REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL'],
  ],
  [
    'removes a property from an open model',
    open({ a: str, b: str }),
    open({ a: str }),
    [],
    ['PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'],
  ],
  [
    'adds a property covered by a partially open model',
    partial({ a: str }),
    partial({ a: str, b: str }),
    [],
    [],
  ],
  [
    'adds a property not covered by a partially open model',
    partial({ a: str }),
    partial({ a: str, b: { type: 'integer' } }),
    ['TYPE_CHANGED', 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'],
    ['TYPE_CHANGED', 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'],
  ],
  ['closes an open model', open({ a: str }), closed({ a: str }), ['ADDITIONAL_PROPERTIES_REMOVED'], []],
  [
    'narrows additionalProperties to a schema',
    open({ a: str }),
    partial({ a: str }),
    ['ADDITIONAL_PROPERTIES_NARROWED'],
    [],
  ],
  [
    'makes a property optional',
    closed({ a: str }, ['a']),
    closed({ a: str }),
    [],
    ['REQUIRED_ATTRIBUTE_ADDED'],
  ],
  ['changes a type', withField(str), withField({ type: 'integer' }), ['TYPE_CHANGED'], ['TYPE_CHANGED']],
  [
    'narrows number to integer',
    withField({ type: 'number' }),
    withField({ type: 'integer' }),
    ['TYPE_NARROWED'],
    [],
  ],
  [
    'raises maxLength',
    withField({ type: 'string', maxLength: 10 }),
    withField({ type: 'string', maxLength: 20 }),
    [],
    ['MAX_LENGTH_DECREASED'],
  ],
  ['adds maxLength', withField(str), withField({ type: 'string', maxLength: 20 }), ['MAX_LENGTH_ADDED'], []],
  [
    'lowers minLength',
    withField({ type: 'string', minLength: 5 }),
    withField({ type: 'string', minLength: 1 }),
    [],
    ['MIN_LENGTH_INCREASED'],
  ],
  ['adds a pattern', withField(str), withField({ type: 'string', pattern: '^x' }), ['PATTERN_ADDED'], []],
  [
    'changes a pattern',
    withField({ type: 'string', pattern: '^x' }),
    withField({ type: 'string', pattern: '^y' }),
    ['PATTERN_CHANGED'],
    ['PATTERN_CHANGED'],
  ],
  [
    'raises maximum',
    withField({ type: 'integer', maximum: 5 }),
    withField({ type: 'integer', maximum: 9 }),
    [],
    ['MAXIMUM_DECREASED'],
  ],
  [
    'adds a minimum',
    withField({ type: 'integer' }),
    withField({ type: 'integer', minimum: 1 }),
    ['MINIMUM_ADDED'],
    [],
  ],
  [
    'multiplies multipleOf',
    withField({ type: 'integer', multipleOf: 2 }),
    withField({ type: 'integer', multipleOf: 4 }),
    ['MULTIPLE_OF_EXPANDED'],
    [],
  ],
  [
    'extends an enum',
    withField({ type: 'string', enum: ['a'] }),
    withField({ type: 'string', enum: ['a', 'b'] }),
    [],
    ['ENUM_ARRAY_NARROWED'],
  ],
  [
    'changes an enum',
    withField({ type: 'string', enum: ['a'] }),
    withField({ type: 'string', enum: ['b'] }),
    ['ENUM_ARRAY_CHANGED'],
    ['ENUM_ARRAY_CHANGED'],
  ],
  [
    'extends a union of types',
    withField({ type: ['string', 'integer'] }),
    withField({ type: ['string', 'integer', 'null'] }),
    [],
    ['SUM_TYPE_NARROWED'],
  ],
  [
    'adds maxProperties',
    open({ a: str }),
    { ...open({ a: str }), maxProperties: 3 },
    ['MAX_PROPERTIES_ADDED'],
    [],
  ],
  [
    'lowers maxItems',
    withField({ type: 'array', items: str, maxItems: 5 }),
    withField({ type: 'array', items: str, maxItems: 2 }),
    ['MAX_ITEMS_DECREASED'],
    [],
  ],
  [
    'adds uniqueItems',
    withField({ type: 'array', items: str }),
    withField({ type: 'array', items: str, uniqueItems: true }),
    ['UNIQUE_ITEMS_ADDED'],
    [],
  ],
  [
    'changes the item type',
    withField({ type: 'array', items: str }),
    withField({ type: 'array', items: { type: 'integer' } }),
    ['TYPE_CHANGED'],
    ['TYPE_CHANGED'],
  ],
  [
    'adds a property matched by patternProperties',
    { type: 'object', properties: { a: str }, patternProperties: { '^x_': str } },
    { type: 'object', properties: { a: str, x_b: str }, patternProperties: { '^x_': str } },
    [],
    [],
  ],
  [
    'removes a property declared false from a closed model',
    closed({ a: str, b: false as unknown as JsonSchema }),
    closed({ a: str }),
    [],
    [],
  ],
  [
    'makes a property with a default required',
    closed({ a: { type: 'string', default: 'x' } }),
    closed({ a: { type: 'string', default: 'x' } }, ['a']),
    [],
    [],
  ],
  [
    'adds an alternative to anyOf',
    withField({ anyOf: [str, { type: 'integer' }] }),
    withField({ anyOf: [str, { type: 'integer' }, { type: 'null' }] }),
    [],
    ['SUM_TYPE_NARROWED'],
  ],
  [
    'adds a subschema to allOf',
    withField({ allOf: [str] }),
    withField({ allOf: [str, { maxLength: 3 }] }),
    ['PRODUCT_TYPE_EXTENDED'],
    [],
  ],
  [
    'changes only descriptions and titles',
    withField({ type: 'string', description: 'x' }),
    withField({ type: 'string', description: 'y', title: 'T' }),
    [],
    [],
  ],
];

const changes = (mode: CompatibilityMode, oldSchema: JsonSchema, newSchema: JsonSchema) =>
  checkCompatibility({ label: 'new', schema: newSchema }, [{ label: 'old', schema: oldSchema }], mode, {
    readers: 'as-published',
  }).map((v) => v.change);

describe('checkCompatibility rules (Confluent JSON Schema)', () => {
  it.each(rules)('%s: BACKWARD', (_change, oldSchema, newSchema, backward) => {
    expect(changes('BACKWARD', oldSchema, newSchema)).toEqual(backward);
  });

  it.each(rules)('%s: FORWARD', (_change, oldSchema, newSchema, _backward, forward) => {
    expect(changes('FORWARD', oldSchema, newSchema)).toEqual(forward);
  });

  it.each(rules)('%s: FULL is both', (_change, oldSchema, newSchema, backward, forward) => {
    expect(changes('FULL', oldSchema, newSchema)).toEqual([...backward, ...forward]);
  });
});

describe('checkCompatibility', () => {
  it('accepts UserCreated v2 after v1 under the default mode (optional field added to closed data)', () => {
    const violations = checkCompatibility({ label: 'v2', schema: userCreatedV2.schema }, [
      { label: 'v1', schema: userCreatedV1.schema },
    ]);

    expect(violations).toEqual([]);
  });

  it('names field, change and rule, following $ref into definitions', () => {
    const v3 = structuredClone(userCreatedV2.schema) as {
      definitions: { UserCreatedData: { properties: Record<string, unknown>; required: string[] } };
    };
    delete v3.definitions.UserCreatedData.properties['name'];
    v3.definitions.UserCreatedData.required = v3.definitions.UserCreatedData.required.filter(
      (f) => f !== 'name',
    );

    const violations = checkCompatibility({ label: 'v3', schema: v3 as JsonSchema }, [
      { label: 'v2', schema: userCreatedV2.schema },
    ]);

    expect(violations).toEqual([
      {
        rule: 'FORWARD',
        against: 'v2',
        field: 'detail.data.name',
        change: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
        schemaPath: '#/properties/detail/properties/data/properties/name',
        message: expect.stringMatching(
          /^v3 breaks FORWARD compatibility with v2 \(FULL_TRANSITIVE\) at field detail\.data\.name: .+ \[REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL at #\/properties\/detail\/properties\/data\/properties\/name\] — readers on v2 could not read data written with v3\.$/,
        ),
      },
    ]);
  });

  it.each([
    ['BACKWARD', []],
    ['BACKWARD_TRANSITIVE', ['v1']],
    ['FORWARD', []],
    ['FORWARD_TRANSITIVE', []],
    ['NONE', []],
  ] as [CompatibilityMode, string[]][])(
    '%s compares with the last version only unless transitive',
    (mode, brokenAgainst) => {
      const v1 = withField(str);
      const v2 = withField({ type: 'string', pattern: '^x' }); // registered earlier under another mode
      const v3 = withField({ type: 'string', pattern: '^x', description: 'same as v2' });

      const violations = checkCompatibility(
        { label: 'v3', schema: v3 },
        [
          { label: 'v1', schema: v1 },
          { label: 'v2', schema: v2 },
        ],
        mode,
      );

      expect(violations.map((v) => v.against)).toEqual(brokenAgainst);
    },
  );
});

type DataSchema = { properties: Record<string, unknown>; required: string[] };

/** The next version of UserCreated derived from the latest by `change`. */
function nextUserCreated(change: (data: DataSchema) => void): JsonSchema {
  const schema = structuredClone(userCreatedV2.schema) as JsonSchema & {
    definitions: { UserCreatedData: DataSchema };
  };
  change(schema.definitions.UserCreatedData);
  return schema;
}

describe('the evolution rule (FULL_TRANSITIVE, tolerant readers): CONTRACT_EVOLUTION_RULE', () => {
  const history = [
    { label: 'v1', schema: userCreatedV1.schema },
    { label: 'v2', schema: userCreatedV2.schema },
  ];

  it.each([
    [
      'adds an optional field',
      (d: DataSchema) => {
        d.properties['nickname'] = { type: 'string' };
      },
      [],
    ],
    [
      'changes the type of a field',
      (d: DataSchema) => {
        d.properties['name'] = { type: 'integer' };
      },
      [
        'BACKWARD detail.data.name',
        'BACKWARD detail.data.name',
        'FORWARD detail.data.name',
        'FORWARD detail.data.name',
      ],
    ],
    [
      'makes a required field optional',
      (d: DataSchema) => {
        d.required = d.required.filter((f) => f !== 'userId');
      },
      ['FORWARD detail.data.userId', 'FORWARD detail.data.userId'],
    ],
    [
      'adds a required field',
      (d: DataSchema) => {
        d.properties['nickname'] = { type: 'string' };
        d.required.push('nickname');
      },
      ['BACKWARD detail.data.nickname', 'BACKWARD detail.data.nickname'],
    ],
  ])('a new version that %s: %j', (_change, change, broken) => {
    const violations = checkCompatibility({ label: 'next', schema: nextUserCreated(change) }, history);

    expect(violations.map((v) => `${v.rule} ${v.field}`).sort()).toEqual([...broken].sort());
  });

  it.each(userCreatedVersions.slice(1))(
    'accepts committed v$version after every version before it',
    (contract) => {
      const before = userCreatedVersions
        .filter((c) => c.version < contract.version)
        .map((c) => ({ label: `v${c.version}`, schema: c.schema }));

      expect(checkCompatibility({ label: `v${contract.version}`, schema: contract.schema }, before)).toEqual(
        [],
      );
    },
  );
});
