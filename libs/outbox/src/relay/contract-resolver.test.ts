import { eventCatalog, findContract, USERS_EVENT_SOURCE, userCreated } from '@outboxed/contracts';
import { exampleUserCreatedDetail } from '@outboxed/contracts/testing';
import { describe, expect, it } from 'vitest';
import { anInsertRecord, anOutboxItem, seq } from '../testing/factories';
import { resolveContract, type ContractSource } from './contract-resolver';
import { mapOutboxRecord } from './map-record';

const detail = exampleUserCreatedDetail();
const itemOf = (data: Record<string, unknown>) =>
  anOutboxItem({
    eventId: detail.metadata.id,
    aggregateId: detail.metadata.aggregateId,
    eventType: detail.metadata.type,
    eventVersion: detail.metadata.version,
    occurredAt: detail.metadata.occurredAt,
    correlationId: detail.metadata.correlationId,
    source: USERS_EVENT_SOURCE,
    payload: data,
  });

describe('resolveContract', () => {
  const throwing = {
    findContract: () => {
      throw new Error('unknown');
    },
  };

  it.each<[string, ContractSource]>([
    ['the eventCatalog array', eventCatalog],
    ['the findContract function', findContract],
    ['an object with findContract', { findContract }],
    ['a ContractResolver', { find: (type, version) => findContract(type, version) }],
  ])('finds UserCreated in %s and nothing for an unknown version', (_name, contracts) => {
    expect(resolveContract(contracts, 'UserCreated', userCreated.version)?.source).toBe(USERS_EVENT_SOURCE);
    expect(resolveContract(contracts, 'UserCreated', 99)).toBeUndefined();
  });

  it('treats a lookup that throws as an unknown contract', () => {
    expect(resolveContract(throwing, 'UserCreated', 1)).toBeUndefined();
  });
});

describe('mapOutboxRecord with @outboxed/contracts', () => {
  it('maps an outbox item whose detail satisfies the published contract', () => {
    const mapped = mapOutboxRecord(anInsertRecord(itemOf({ ...detail.data }), seq(1)), {
      eventBusName: 'users-events',
      contracts: eventCatalog,
    });

    expect(mapped.kind).toBe('entry');
    expect(mapped.kind === 'entry' && JSON.parse(mapped.entry.Detail ?? '')).toEqual(detail);
  });

  it('classifies a detail that violates the contract as poison with the contract’s violations', () => {
    const mapped = mapOutboxRecord(
      anInsertRecord(itemOf({ ...detail.data, email: 'not-an-email' }), seq(1)),
      {
        eventBusName: 'users-events',
        contracts: eventCatalog,
      },
    );

    expect(mapped).toEqual(
      expect.objectContaining({
        kind: 'poison',
        reason: 'contract-violation',
        violations: userCreated.validateDetail({
          ...detail,
          data: { ...detail.data, email: 'not-an-email' },
        }),
      }),
    );
  });
});
