import { userCreated, type JsonSchema } from '@outboxed/contracts';
import { EXAMPLE_USER_ID, exampleUserCreatedDetail } from '@outboxed/contracts/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { userCreatedPublications } from '../contract-publications';
import { UsersServiceError } from '../errors';
import {
  CREATE_USER_FIELDS,
  CREATE_USER_REQUEST_SCHEMA,
  createUserRequestParser,
  createUserRequestSchema,
  parseCreateUserRequest,
} from './create-user-request';
import { newUser } from './user';

const CREATED_AT = new Date('2026-01-15T09:59:59.123Z');

/** Whether the published contract accepts a detail whose `data` carries these client fields. */
function contractAccepts(fields: Record<string, unknown>): boolean {
  const { data } = exampleUserCreatedDetail();
  const detail = {
    ...exampleUserCreatedDetail(),
    data: { userId: data.userId, createdAt: data.createdAt, ...fields },
  };
  return userCreated.validateDetail(detail).length === 0;
}

/** The `detail.data` definition of the published contract, as its schema spells it. */
function contractDataProperties(schema: JsonSchema): Record<string, JsonSchema> {
  const definitions = schema['definitions'] as Record<string, { properties: Record<string, JsonSchema> }>;
  const data = definitions['UserCreatedData'];
  if (data === undefined) throw new Error('UserCreated lost its UserCreatedData definition.');
  return data.properties;
}

const ADA = { email: 'ada@example.com', name: 'Ada Lovelace' };

describe('createUserRequestSchema', () => {
  it.each(CREATE_USER_FIELDS)("takes the rules of %s from the published contract's detail.data", (field) => {
    const properties = CREATE_USER_REQUEST_SCHEMA['properties'] as Record<string, JsonSchema>;
    const rule = properties[field];
    const fromContract = contractDataProperties(userCreated.schema)[field];

    expect(fromContract).toBeDefined();
    expect(rule?.['allOf'] === undefined ? rule : (rule['allOf'] as JsonSchema[])[0]).toEqual(fromContract);
  });

  it('requires what the contract requires, and rejects any other field', () => {
    expect(CREATE_USER_REQUEST_SCHEMA).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['email', 'name'],
    });
  });

  it('follows the contract it is derived from: a changed rule changes the API with it, and its message', () => {
    const schema = structuredClone(userCreated.schema);
    const data = contractDataProperties(schema);
    data['name'] = { ...data['name'], maxLength: 10 };
    const definitions = schema['definitions'] as Record<string, { required: string[] }>;
    definitions['UserCreatedData']?.required.push('locale');
    const parse = createUserRequestParser(createUserRequestSchema(schema));

    expect(parse({ ...ADA, name: 'n'.repeat(11) })).toEqual({
      ok: false,
      errors: [
        { field: 'name', message: 'name must be at most 10 characters.' },
        { field: 'locale', message: 'locale is required.' },
      ],
    });
    expect(parse({ ...ADA, name: 'n'.repeat(10), locale: 'en-gb' })).toEqual({
      ok: true,
      value: { ...ADA, name: 'n'.repeat(10), locale: 'en-GB' },
    });
  });

  it('refuses a contract without a detail.data schema, naming where it looked', () => {
    const schema = { id: 'urn:test', type: 'object', properties: { detail: { type: 'object' } } };

    expect(() => createUserRequestSchema(schema)).toThrow(UsersServiceError);
    expect(() => createUserRequestSchema(schema)).toThrow(/no object at detail \(properties\)/);
  });
});

describe('parseCreateUserRequest', () => {
  // [case, body, the API accepts it, the published contract accepts its fields as event data]
  const cases: [string, Record<string, unknown>, boolean, boolean][] = [
    ['an email and a name', ADA, true, true],
    ['a locale', { ...ADA, locale: 'en-GB' }, true, true],
    ['an email of 254 characters', { ...ADA, email: `${'a'.repeat(242)}@example.com` }, true, true],
    ['an email of 255 characters', { ...ADA, email: `${'a'.repeat(243)}@example.com` }, false, false],
    ['an email with characters RFC 5322 allows', { ...ADA, email: "o'brien+tag!x@example.com" }, true, true],
    ['an email that is not an email address', { ...ADA, email: 'ada.example.com' }, false, false],
    ['an email without a domain name', { ...ADA, email: 'ada@localhost' }, false, false],
    ['an email that is not a string', { ...ADA, email: 42 }, false, false],
    ['an empty email', { ...ADA, email: '' }, false, false],
    ['a name of 200 characters', { ...ADA, name: 'n'.repeat(200) }, true, true],
    ['a name of 201 characters', { ...ADA, name: 'n'.repeat(201) }, false, false],
    ['an empty name', { ...ADA, name: '' }, false, false],
    ['no name', { email: ADA.email }, false, false],
    ['an unknown field', { ...ADA, role: 'admin' }, false, false],
    ['a locale the contract does not allow', { ...ADA, locale: 'en-US-u-ca-gregory' }, false, false],
    ['a locale that is not a language tag', { ...ADA, locale: 'english please' }, false, false],
    ['a locale over 35 characters', { ...ADA, locale: `en-${'abcdefgh-'.repeat(4)}` }, false, false],
    // the request's own rule, beyond the event's: the event carries what the producer wrote
    ['a name with control characters', { ...ADA, name: 'Ada\u0000Lovelace' }, false, true],
    ['a locale that only looks like a language tag', { ...ADA, locale: 'abc-de-fg' }, false, true],
  ];

  it.each(cases)(
    'decides %s as the published contract does (or as a request-only rule says)',
    (_, body, api, contract) => {
      expect(parseCreateUserRequest(body).ok).toBe(api);
      expect(contractAccepts(body)).toBe(contract);
    },
  );

  it('accepts nothing the published contract would reject: the event built from any accepted request is valid', () => {
    const locale = fc.option(
      fc.oneof(
        fc.constantFrom('en', 'en-gb', 'EN-us', 'zh-hant-tw', 'iw', 'en-US-u-ca-gregory'),
        fc.string(),
      ),
      { nil: undefined },
    );
    const body = fc.record(
      {
        email: fc.oneof(fc.emailAddress(), fc.string({ unit: 'grapheme-ascii' })),
        name: fc.string({
          unit: fc.constantFrom('a', 'Z', ' ', '\t', '\u0000', '\u007f', 'é', '\u{1F600}'),
          maxLength: 210,
        }),
        locale,
      },
      { requiredKeys: ['email', 'name'] },
    );

    let accepted = 0;
    fc.assert(
      fc.property(body, (candidate) => {
        const parsed = parseCreateUserRequest(candidate);
        if (!parsed.ok) return;
        accepted += 1;
        for (const { contract, data } of userCreatedPublications) {
          const user = newUser(parsed.value, EXAMPLE_USER_ID, CREATED_AT);
          const detail = { ...exampleUserCreatedDetail(), data: data(user) };
          expect(contract.validateDetail(detail)).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
    expect(accepted).toBeGreaterThan(0); // the property was tested on accepted requests, not only on rejected ones
  });

  it('normalizes before the rules apply: trims email and name, canonicalizes the locale', () => {
    expect(parseCreateUserRequest({ email: ' ada@example.com ', name: ' Ada ', locale: 'en-gb' })).toEqual({
      ok: true,
      value: { email: 'ada@example.com', name: 'Ada', locale: 'en-GB' },
    });
  });

  it.each<[string, unknown, { field: string; message: string }[]]>([
    ['a JSON array', [ADA], [{ field: 'body', message: 'body must be a JSON object, received array.' }]],
    ['null', null, [{ field: 'body', message: 'body must be a JSON object, received null.' }]],
    [
      'a blank email and a blank name',
      { email: '  ', name: '  ' },
      [
        { field: 'email', message: 'email must not be empty.' },
        { field: 'name', message: 'name must not be empty.' },
      ],
    ],
    [
      'a locale that is not a string',
      { ...ADA, locale: 42 },
      [{ field: 'locale', message: 'locale must be a string, received number.' }],
    ],
    [
      'a locale too long to be a language tag (its length first)',
      { ...ADA, locale: 'x'.repeat(40) },
      [{ field: 'locale', message: 'locale must be at most 35 characters.' }],
    ],
    [
      "a locale the contract's pattern rejects",
      { ...ADA, locale: 'en-US-u-ca-gregory' },
      [
        {
          field: 'locale',
          message:
            'locale must match pattern "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$" (a rule of the published UserCreated schema).',
        },
      ],
    ],
  ])('rejects %s naming each field at fault', (_, body, errors) => {
    expect(parseCreateUserRequest(body)).toEqual({ ok: false, errors });
  });
});
