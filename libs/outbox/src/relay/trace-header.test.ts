import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { eventCatalog, USERS_EVENT_SOURCE } from '@outboxed/contracts';
import { exampleUserCreatedDetail } from '@outboxed/contracts/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseOutboxItem, toOutboxAttributes } from '../item/outbox-item';
import { anEventContract, anInsertRecord, anOutboxItem, seq } from '../testing/factories';
import { outboxEvent, type OutboxEvent } from '../writer/outbox-event';
import { createOutboxWriter } from '../writer/outbox-writer';
import { mapOutboxRecord } from './map-record';

const TRACE = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
const detail = exampleUserCreatedDetail();
const itemWith = (traceHeader?: string) =>
  anOutboxItem({
    eventId: detail.metadata.id,
    aggregateId: detail.metadata.aggregateId,
    eventType: detail.metadata.type,
    eventVersion: detail.metadata.version,
    occurredAt: detail.metadata.occurredAt,
    correlationId: detail.metadata.correlationId,
    source: USERS_EVENT_SOURCE,
    payload: { ...detail.data },
    ...(traceHeader ? { traceHeader } : {}),
  });
const anEvent: OutboxEvent = outboxEvent(
  anEventContract({ source: USERS_EVENT_SOURCE, detailType: 'UserCreated', version: 1 }),
  { userId: 'U1' },
  { aggregateType: 'User', aggregateId: 'U1', partitionKey: 'USER#U1', sequence: 1 },
);

function outboxItemWritten(event: OutboxEvent = anEvent): Record<string, unknown> {
  const writer = createOutboxWriter(
    { tableName: 'users' },
    { dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }), newEventId: () => '01EVENT1' },
  );
  const put = writer.buildTransaction({ writes: [], events: [event] }).input.TransactItems?.[0]?.Put;
  return unmarshall(put?.Item ?? {});
}

describe('trace header: from the writing invocation, through the outbox item, to the PutEvents entry', () => {
  afterEach(() => vi.unstubAllEnvs());

  it("stores the running Lambda invocation's trace header on the outbox item", () => {
    vi.stubEnv('_X_AMZN_TRACE_ID', TRACE);

    expect(outboxItemWritten()['traceHeader']).toBe(TRACE);
  });

  it('prefers the trace header the event is given', () => {
    vi.stubEnv('_X_AMZN_TRACE_ID', TRACE);

    expect(
      outboxItemWritten({ ...anEvent, traceHeader: 'Root=1-00000000-000000000000000000000001' })[
        'traceHeader'
      ],
    ).toBe('Root=1-00000000-000000000000000000000001');
  });

  it('stores no trace header outside a traced invocation', () => {
    vi.stubEnv('_X_AMZN_TRACE_ID', '');

    expect(outboxItemWritten()).not.toHaveProperty('traceHeader');
  });

  it('reads the trace header back from the stored item', () => {
    const item = itemWith(TRACE);

    expect(parseOutboxItem(toOutboxAttributes(item))).toEqual(item);
    expect(parseOutboxItem(toOutboxAttributes(itemWith()))).not.toHaveProperty('traceHeader');
  });

  it.each([
    ['with', TRACE, { TraceHeader: TRACE }],
    ['without', undefined, {}],
  ])('maps an item %s a trace header to an entry %s TraceHeader', (_with, traceHeader, expected) => {
    const mapped = mapOutboxRecord(anInsertRecord(itemWith(traceHeader), seq(1)), {
      eventBusName: 'users-events',
      contracts: eventCatalog,
    });

    expect(mapped.kind === 'entry' && mapped.entry).toEqual({
      Source: USERS_EVENT_SOURCE,
      DetailType: detail.metadata.type,
      Detail: JSON.stringify(detail),
      EventBusName: 'users-events',
      Time: new Date(detail.metadata.occurredAt),
      ...expected,
    });
  });
});
