import { describe, expect, it } from 'vitest';
import { defineContract } from '../contract.ts';
import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE } from '../constants.ts';
import { eventCatalog, userCreated, userCreatedV1, userCreatedV2 } from '../index.ts';
import { userCreatedVersions } from '../user-created.ts';
import type { JsonSchema } from '../validation.ts';
import { checkConsumerExpectations, defineExpectations } from './expectations.ts';
import type { AnyContract, ConsumerExpectations, SchemaEntry } from './expectations.ts';

const expectationsFactory = (
  reads: string[],
  contract: AnyContract = userCreatedV1,
  readsIfPresent?: string[],
): ConsumerExpectations =>
  defineExpectations({
    consumer: 'email-consumer',
    subscriptions: [{ contract, reads, ...(readsIfPresent ? { readsIfPresent } : {}) }],
  });

type DataSchema = { properties: Record<string, Record<string, unknown>>; required: string[] };

/** The next version of UserCreated, derived from the latest by `change` (the producer's next edit). */
function nextVersion(change: (data: DataSchema) => void, version = userCreated.version + 1): SchemaEntry {
  const schema = structuredClone(userCreated.schema) as JsonSchema & {
    definitions: { UserCreatedData: DataSchema };
  };
  schema['id'] = `urn:outboxed:schema:outboxed.users@UserCreated:v${version}`;
  change(schema.definitions.UserCreatedData);
  return defineContract({
    source: USERS_EVENT_SOURCE,
    detailType: USER_CREATED_DETAIL_TYPE,
    version,
    schema,
  });
}

const next = userCreated.version + 1;

describe('checkConsumerExpectations', () => {
  it.each(userCreatedVersions)(
    'holds for a consumer reading as v$version the fields every version defines and requires',
    (contract) => {
      const expectations = expectationsFactory(
        ['detail.metadata.id', 'detail.data.email', 'detail.data.name'],
        contract,
        ['resources[]'],
      );

      expect(checkConsumerExpectations(expectations)).toEqual([]);
    },
  );

  it('holds when the producer adds an optional field as a new version (compatible change)', () => {
    const withNickname = nextVersion((data) => {
      data.properties['nickname'] = { type: 'string' };
    });

    expect(
      checkConsumerExpectations(expectationsFactory(['detail.data.email']), [...eventCatalog, withNickname]),
    ).toEqual([]);
  });

  it('lets a consumer read an optional field where present (readsIfPresent)', () => {
    expect(
      checkConsumerExpectations(
        expectationsFactory(['detail.data.email'], userCreatedV2, ['detail.data.locale']),
      ),
    ).toEqual([]);
  });

  it('rejects an optional field read as relied upon, naming the fix', () => {
    expect(checkConsumerExpectations(expectationsFactory(['detail.data.locale'], userCreatedV2))).toEqual([
      {
        consumer: 'email-consumer',
        detailType: 'UserCreated',
        version: 2,
        field: 'detail.data.locale',
        message: 'relies on detail.data.locale, which is optional in UserCreated v2: events may lack it.',
        fix: 'Move detail.data.locale to readsIfPresent and handle its absence.',
      },
    ]);
  });

  it('rejects a field the version it reads as does not define', () => {
    expect(checkConsumerExpectations(expectationsFactory([], userCreatedV1, ['detail.data.locale']))).toEqual(
      [
        {
          consumer: 'email-consumer',
          detailType: 'UserCreated',
          version: 1,
          field: 'detail.data.locale',
          message:
            'reads detail.data.locale, which UserCreated v1 (the version it reads as) does not define.',
          fix: 'Fix the path, or read UserCreated as a version that defines detail.data.locale.',
        },
      ],
    );
  });

  it.each([
    [
      'changes the type of a field it reads',
      (data: DataSchema) => {
        data.properties['name'] = { type: 'integer' };
      },
      'detail.data.name',
      `reads detail.data.name as type string (v1), but UserCreated v${next} has type integer.`,
    ],
    [
      'drops the format of a field it reads',
      (data: DataSchema) => {
        data.properties['email'] = { type: 'string' };
      },
      'detail.data.email',
      `reads detail.data.email as format "email" (v1), but UserCreated v${next} has no format.`,
    ],
    [
      'makes a field it relies on optional',
      (data: DataSchema) => {
        data.required = data.required.filter((f) => f !== 'userId');
      },
      'detail.data.userId',
      `relies on detail.data.userId, which is optional in UserCreated v${next}: its events may lack it.`,
    ],
    [
      'removes a field it relies on',
      (data: DataSchema) => {
        delete data.properties['name'];
        data.required = data.required.filter((f) => f !== 'name');
      },
      'detail.data.name',
      `relies on detail.data.name, which UserCreated v${next} does not define: its events lack it.`,
    ],
  ])('fails when the producer %s in a new version', (_change, change, field, message) => {
    const violations = checkConsumerExpectations(
      expectationsFactory(['detail.data.userId', 'detail.data.email', 'detail.data.name']),
      [...eventCatalog, nextVersion(change)],
    );

    expect(violations.map((v) => [v.version, v.field, v.message])).toEqual([[next, field, message]]);
  });

  it('fails when enum values the reader does not know appear in another version', () => {
    const withType = (values: string[], version: number) =>
      nextVersion((data) => {
        data.properties['plan'] = { type: 'string', enum: values };
        data.required.push('plan');
      }, version);
    const reader = withType(['free'], 1) as AnyContract;
    const catalog = [reader, withType(['free', 'pro'], 2)];

    expect(
      checkConsumerExpectations(expectationsFactory(['detail.data.plan'], reader), catalog).map(
        (v) => v.message,
      ),
    ).toEqual([
      'reads detail.data.plan as enum ["free"] (v1), but UserCreated v2 has values ["pro"] it does not know.',
    ]);
  });

  it('checks in-place edits: the version as it was at the git base is still read', () => {
    const edited = nextVersion((data) => {
      data.required = data.required.filter((f) => f !== 'userId');
    }, userCreated.version);
    const catalog = [...eventCatalog.filter((c) => c.version !== userCreated.version), edited];
    const atBase = {
      ...nextVersion((data) => {
        data.properties['name'] = { type: 'integer' };
      }, userCreated.version),
      label: `v${userCreated.version} at main`,
    };

    const violations = checkConsumerExpectations(
      expectationsFactory(['detail.data.userId', 'detail.data.name']),
      catalog,
      [atBase],
    );

    expect(violations.map((v) => v.message)).toEqual([
      `relies on detail.data.userId, which is optional in UserCreated v${userCreated.version}: its events may lack it.`,
      `reads detail.data.name as type string (v1), but UserCreated v${userCreated.version} at main has type integer.`,
    ]);
  });

  it('names an unknown event type and an unknown reader version', () => {
    const unknownType = defineContract({ ...userCreatedV1, detailType: 'UserDeleted' });
    const unknownVersion = defineContract({ ...userCreatedV1, version: next });

    expect(checkConsumerExpectations(expectationsFactory([], unknownType)).map((v) => v.message)).toEqual([
      'subscribes to UserDeleted from outboxed.users, which no contract defines (known: outboxed.users UserCreated).',
    ]);
    expect(checkConsumerExpectations(expectationsFactory([], unknownVersion))).toEqual([
      expect.objectContaining({
        version: next,
        message: `reads UserCreated as v${next}, which does not exist (versions: ${userCreatedVersions.map((c) => c.version).join(', ')}).`,
      }),
    ]);
  });
});
