import { describe, expect, it } from 'vitest';
import { defineContract } from '../contract.ts';
import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE } from '../constants.ts';
import { eventCatalog, userCreatedV1, userCreatedV2 } from '../index.ts';
import type { JsonSchema } from '../validation.ts';
import { checkConsumerExpectations } from './expectations.ts';
import type { ConsumerExpectations } from './expectations.ts';

const expectationsFactory = (reads: string[], versions = [1, 2]): ConsumerExpectations => ({
  consumer: 'email-consumer',
  subscriptions: [{ source: USERS_EVENT_SOURCE, detailType: USER_CREATED_DETAIL_TYPE, versions, reads }],
});

/** A v3 of UserCreated derived from v2 by `change` (the producer's next edit). */
function v3(change: (data: { properties: Record<string, unknown>; required: string[] }) => void) {
  const schema = structuredClone(userCreatedV2.schema) as JsonSchema & {
    definitions: { UserCreatedData: { properties: Record<string, unknown>; required: string[] } };
  };
  schema['id'] = 'urn:outboxed:schema:outboxed.users@UserCreated:v3';
  change(schema.definitions.UserCreatedData);
  return defineContract({
    source: USERS_EVENT_SOURCE,
    detailType: USER_CREATED_DETAIL_TYPE,
    version: 3,
    schema,
  });
}

describe('checkConsumerExpectations', () => {
  it('holds for fields every subscribed version defines', () => {
    const expectations = expectationsFactory([
      'detail.metadata.id',
      'detail.data.email',
      'detail.data.name',
      'resources[0]',
    ]);

    expect(checkConsumerExpectations(expectations)).toEqual([]);
  });

  it('fails naming consumer and field when the latest version removes a field the consumer reads', () => {
    const catalog = [
      ...eventCatalog,
      v3((data) => {
        delete data.properties['email'];
        data.required = data.required.filter((f) => f !== 'email');
      }),
    ];

    const violations = checkConsumerExpectations(expectationsFactory(['detail.data.email']), catalog);

    expect(violations).toEqual([
      {
        consumer: 'email-consumer',
        detailType: 'UserCreated',
        version: 3,
        field: 'detail.data.email',
        message:
          'reads detail.data.email (defined in v1), which the latest UserCreated v3, emitted by the producer, removed.',
      },
      {
        consumer: 'email-consumer',
        detailType: 'UserCreated',
        version: 3,
        field: 'detail.data.email',
        message:
          'reads detail.data.email (defined in v2), which the latest UserCreated v3, emitted by the producer, removed.',
      },
    ]);
  });

  it('fails when the latest version makes a field the consumer reads optional', () => {
    const catalog = [
      ...eventCatalog,
      v3((data) => {
        data.required = data.required.filter((f) => f !== 'name');
      }),
    ];

    const violations = checkConsumerExpectations(expectationsFactory(['detail.data.name'], [2]), catalog);

    expect(violations).toEqual([
      {
        consumer: 'email-consumer',
        detailType: 'UserCreated',
        version: 3,
        field: 'detail.data.name',
        message:
          'reads detail.data.name, required in v2 but optional in the latest UserCreated v3: events may now lack it.',
      },
    ]);
  });

  it('accepts reading an optional field in the versions that define it', () => {
    expect(checkConsumerExpectations(expectationsFactory(['detail.data.locale'], [2]))).toEqual([]);
  });

  it.each([
    [
      'a field a subscribed version lacks',
      expectationsFactory(['detail.data.locale'], [1, 2]),
      [
        {
          consumer: 'email-consumer',
          detailType: 'UserCreated',
          version: 1,
          field: 'detail.data.locale',
          message: 'reads detail.data.locale, which UserCreated v1 does not define.',
        },
      ],
    ],
    [
      'a version that does not exist',
      expectationsFactory(['detail.data.email'], [4]),
      [
        {
          consumer: 'email-consumer',
          detailType: 'UserCreated',
          version: 4,
          message: 'subscribes to UserCreated v4, which does not exist (versions: 1, 2).',
        },
      ],
    ],
    [
      'an event type no contract defines',
      {
        consumer: 'c',
        subscriptions: [{ source: USERS_EVENT_SOURCE, detailType: 'UserDeleted', versions: [1], reads: [] }],
      },
      [
        {
          consumer: 'c',
          detailType: 'UserDeleted',
          version: 1,
          message:
            'subscribes to UserDeleted from outboxed.users, which no contract defines (known: outboxed.users UserCreated).',
        },
      ],
    ],
  ])('fails on %s', (_case, expectations, violations) => {
    expect(checkConsumerExpectations(expectations)).toEqual(violations);
  });

  it('checks against the versions it is given (v1 only catalog knows no locale)', () => {
    expect(
      checkConsumerExpectations(expectationsFactory(['detail.data.locale'], [1]), [userCreatedV1]),
    ).toHaveLength(1);
  });
});
