// Test factories shared by the outbox tests (not exported from the package).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { toOutboxAttributes, type OutboxItem } from '../item/outbox-item';
import type { ContractResolver, ContractViolationLike } from '../relay/contract-resolver';
import type { RelayLogger, RelayMetrics } from '../relay/relay-handler';
import type { OutboxEventContract } from '../writer/outbox-event';

export const STREAM_ARN =
  'arn:aws:dynamodb:eu-west-1:123456789012:table/users/stream/2026-11-29T00:00:00.000';

export function anOutboxItem(overrides: Partial<OutboxItem> = {}): OutboxItem {
  const aggregateId = overrides.aggregateId ?? 'U1';
  const sequence = overrides.sequence ?? 1;
  const eventId = overrides.eventId ?? `EVT-${aggregateId}-${sequence}`;
  return {
    partitionKey: `USER#${aggregateId}`,
    sortKey: `OUTBOX#${eventId}`,
    eventId,
    eventType: 'UserCreated',
    eventVersion: 1,
    source: 'outboxed.users',
    occurredAt: '2026-11-29T12:00:00.000Z',
    aggregateType: 'User',
    aggregateId,
    sequence,
    correlationId: `corr-${eventId}`,
    payload: { userId: aggregateId, email: `${aggregateId}@example.com`, name: 'Ada' },
    ttl: 1_800_000_000,
    ...overrides,
  };
}

/** A stream INSERT record of an outbox item, as Lambda delivers it. */
export function anInsertRecord(
  item: OutboxItem,
  sequenceNumber: string,
  overrides: Partial<DynamoDBRecord> = {},
): DynamoDBRecord {
  const image = marshall(toOutboxAttributes(item)) as Record<string, AttributeValue>;
  return {
    eventID: `id-${sequenceNumber}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: 1_795_953_600, // 2026-11-29T12:00:00Z
      Keys: { pk: { S: item.partitionKey }, sk: { S: item.sortKey } },
      NewImage: image as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
      SequenceNumber: sequenceNumber,
      SizeBytes: 300,
      StreamViewType: 'NEW_IMAGE',
    },
    ...overrides,
  };
}

/** Sequence numbers as DynamoDB streams make them: increasing decimal strings. */
export const seq = (n: number): string => `4${String(n).padStart(20, '0')}`;

/** A contract resolver knowing UserCreated v1: the detail's data needs a string userId and email. */
export const fakeContracts: ContractResolver = {
  find(detailType, version) {
    if (detailType !== 'UserCreated' || version !== 1) return undefined;
    return {
      source: 'outboxed.users',
      validateDetail(detail: unknown): readonly ContractViolationLike[] {
        const data = (detail as { data?: Record<string, unknown> }).data ?? {};
        const violations: ContractViolationLike[] = [];
        if (typeof data.userId !== 'string')
          violations.push({ path: 'detail.data.userId', message: 'must be string' });
        if (typeof data.email !== 'string')
          violations.push({ path: 'detail.data.email', message: 'must be string' });
        return violations;
      },
    };
  },
};

export interface RecordedLog {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

export function recordingLogger(): RelayLogger & { readonly lines: RecordedLog[] } {
  const lines: RecordedLog[] = [];
  const at = (level: RecordedLog['level']) => (message: string, attributes: Record<string, unknown>) => {
    lines.push({ level, message, attributes });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export function recordingMetrics(): RelayMetrics & { readonly published: Record<string, number>[] } {
  const published: Record<string, number>[] = [];
  let stored: Record<string, number> = {};
  return {
    published,
    addMetric(name, _unit, value) {
      stored[name] = (stored[name] ?? 0) + value;
    },
    publishStoredMetrics() {
      published.push(stored);
      stored = {};
    },
  };
}

/** A clock whose sleep advances time instantly. */
export function fakeClock(start = Date.parse('2026-11-29T12:00:10.000Z')) {
  const clock = {
    time: start,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

/**
 * An event contract for writer tests: the given identity, and a `detail` validator that accepts everything unless
 * one is given (so a test can write what a real contract would refuse, e.g. a poison record).
 */
export function anEventContract<TData = Readonly<Record<string, unknown>>>(
  identity: { source?: string; detailType?: string; version?: number } = {},
  validateDetail: OutboxEventContract<TData>['validateDetail'] = () => [],
): OutboxEventContract<TData> {
  return {
    source: identity.source ?? 'outboxed.users',
    detailType: identity.detailType ?? 'UserCreated',
    version: identity.version ?? 1,
    parseDetail: (detail) => detail as { data: TData },
    validateDetail,
  };
}
