import { describe, expect, it } from 'vitest';
import {
  USER_CREATED_DETAIL_TYPE,
  USERS_EVENT_SOURCE,
  eventCatalog,
  eventPattern,
  findContract,
  userCreated,
  userCreatedV1,
  userCreatedV2,
} from './index.ts';
import { USER_CREATED_SCHEMA_NAME } from './constants.ts';
import { userCreatedVersions } from './user-created.ts';
import { exampleUserCreatedEvent, exampleUserCreatedV1Event } from './testing.ts';

const versionNumbers = userCreatedVersions.map((c) => c.version);
const unknownVersion = Math.max(...versionNumbers) + 1;

describe('eventCatalog', () => {
  it('holds every UserCreated version, oldest first, the latest being what the producer emits', () => {
    expect(versionNumbers).toEqual(versionNumbers.map((_, i) => i + 1));
    expect(eventCatalog.map((c) => [c.schemaName, c.version])).toEqual(
      versionNumbers.map((v) => [USER_CREATED_SCHEMA_NAME, v]),
    );
    expect(userCreated).toBe(userCreatedVersions.at(-1));
  });

  it('names each schema like its registry id (urn:outboxed:schema:<name>:v<N>)', () => {
    expect(eventCatalog.map((c) => c.schema['id'])).toEqual(
      versionNumbers.map((v) => `urn:outboxed:schema:outboxed.users@UserCreated:v${v}`),
    );
  });

  it.each(eventCatalog)(
    'guarantee 3: $schemaName v$version requires metadata.id, a ULID consumers deduplicate on',
    (contract) => {
      const withoutId = exampleUserCreatedEvent({
        detail: { metadata: { version: contract.version, id: undefined }, data: { locale: undefined } },
      });

      expect(contract.validateEvent(withoutId)).toEqual([
        { path: 'detail.metadata.id', message: 'is required' },
      ]);
    },
  );

  it.each(eventCatalog)(
    'guarantee 4: $schemaName v$version requires aggregateId and a sequence ≥ 1 to order by',
    (contract) => {
      const unordered = exampleUserCreatedEvent({
        detail: {
          metadata: { version: contract.version, aggregateId: undefined, sequence: 0 },
          data: { locale: undefined },
        },
      });

      expect(contract.validateEvent(unordered)).toEqual([
        { path: 'detail.metadata.aggregateId', message: 'is required' },
        { path: 'detail.metadata.sequence', message: 'must be >= 1 (received the integer 0)' },
      ]);
    },
  );
});

describe('findContract', () => {
  it.each([
    [USER_CREATED_DETAIL_TYPE, 1, undefined, userCreatedV1],
    [USER_CREATED_DETAIL_TYPE, 2, USERS_EVENT_SOURCE, userCreatedV2],
    [USER_CREATED_DETAIL_TYPE, unknownVersion, undefined, undefined],
    [USER_CREATED_DETAIL_TYPE, 1, 'outboxed.orders', undefined],
    ['UserDeleted', 1, undefined, undefined],
  ])('finds %s v%s (source %s)', (detailType, version, source, expected) => {
    expect(findContract(detailType, version, source)).toBe(expected);
  });
});

describe('eventPattern', () => {
  it.each([
    [
      [userCreatedV1, userCreatedV2],
      undefined,
      { source: ['outboxed.users'], 'detail-type': ['UserCreated'] },
    ],
    [
      [userCreated],
      { data: { locale: [{ exists: true }] } },
      {
        source: ['outboxed.users'],
        'detail-type': ['UserCreated'],
        detail: { data: { locale: [{ exists: true }] } },
      },
    ],
  ])('derives the rule pattern from contracts %#', (contracts, filter, expected) => {
    expect(eventPattern(contracts, filter)).toEqual(expected);
  });

  it('rejects an empty list of contracts', () => {
    expect(() => eventPattern([])).toThrow('eventPattern needs at least one contract.');
  });
});

describe('example events', () => {
  it('builds a fixed, valid latest event', () => {
    expect(exampleUserCreatedEvent()).toEqual({
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': 'UserCreated',
      source: 'outboxed.users',
      account: '123456789012',
      time: '2026-01-15T10:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: {
        metadata: {
          id: '01JHB7N9Q3Z5W8X2C4V6T0R1SM',
          type: 'UserCreated',
          version: userCreated.version,
          occurredAt: '2026-01-15T09:59:59.123Z',
          aggregateId: '01JHB7N9Q3Z5W8X2C4V6T0R1SA',
          sequence: 1,
          correlationId: 'corr-0001',
        },
        data: {
          userId: '01JHB7N9Q3Z5W8X2C4V6T0R1SA',
          email: 'ada@example.com',
          name: 'Ada Lovelace',
          createdAt: '2026-01-15T09:59:59.123Z',
          locale: 'en-GB',
        },
      },
    });
  });

  it('merges nested overrides and removes fields overridden with undefined', () => {
    const event = exampleUserCreatedV1Event({ detail: { metadata: { sequence: 7 } } });

    expect(event.detail.metadata).toMatchObject({ version: 1, sequence: 7 });
    expect(event.detail.data).not.toHaveProperty('locale');
    expect(userCreatedV1.validateEvent(event)).toEqual([]);
  });

  it('returns a fresh object each time (tests may mutate it)', () => {
    const first = exampleUserCreatedEvent();
    first.detail.data.name = 'changed';

    expect(exampleUserCreatedEvent().detail.data.name).toBe('Ada Lovelace');
  });
});
