import type { PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { fakeClock, recordingLogger, seq } from '../testing/factories';
import { planEntries, processBatch, type BatchRecordMapping } from './process-batch';

const aRecord = (n: number): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: seq(n), Keys: { pk: { S: `ITEM#${n}` }, sk: { S: 'ITEM' } } },
});
const anEntry = (orderingKey: string, detailType: string) => ({
  orderingKey,
  entry: { Source: 'test', DetailType: detailType, Detail: '{}', EventBusName: 'bus' },
});

describe('processBatch', () => {
  it('guarantee 2: checkpoints at a record with several entries until every one of them is published or dead-lettered', async () => {
    const logger = recordingLogger();
    const clock = fakeClock();
    const dlq: string[] = [];
    const errorOf: Record<string, { ErrorCode: string; ErrorMessage: string }> = {
      Malformed: { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' },
      Denied: { ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' },
    };
    const eventBridge = {
      send: async (command: PutEventsCommand) => ({
        Entries: (command.input.Entries ?? []).map(
          (e: PutEventsRequestEntry) => errorOf[e.DetailType as string] ?? { EventId: 'e' },
        ),
      }),
    };
    const sqs = {
      send: async (command: SendMessageCommand) => {
        dlq.push((JSON.parse(command.input.MessageBody as string) as { reason: string }).reason);
        return {};
      },
    };
    const refused: [number, string][] = [];
    const failed: [number, string][] = [];
    const mappings: BatchRecordMapping[] = [
      { kind: 'events', entries: [anEntry('A', 'Ok'), anEntry('B', 'Malformed')] },
      { kind: 'poison', reason: 'unparseable-item', message: 'unreadable', orderingKey: 'P' },
      { kind: 'events', entries: [anEntry('C', 'Ok'), anEntry('D', 'Denied')] },
      { kind: 'events', entries: [anEntry('E', 'Ok')] },
    ];

    const result = await processBatch(
      [1, 2, 3, 4].map(aRecord),
      mappings,
      {
        poisonQueueUrl: 'queue',
        concurrency: 2,
        publish: { maxAttempts: 1 },
        deadLetteredMessage: 'record sent to the poison DLQ',
        onRefused: (recordIndex, errorCode) => refused.push([recordIndex, errorCode]),
        onFailed: (recordIndex, outcome) => failed.push([recordIndex, outcome.errorCode]),
      },
      { eventBridge: eventBridge as never, sqs: sqs as never, logger, now: clock.now },
    );

    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: seq(3) }],
      checkpoint: seq(3),
      counts: {
        entries: 5,
        published: 3,
        poisonRecords: 1,
        deadLetteredEntries: 1,
        poisonSendFailures: 0,
        requests: 1,
        failedEntries: 2,
        retriedEntries: 0,
        notProcessed: 1,
      },
    });
    expect(dlq).toEqual(['unparseable-item', 'rejected-by-eventbridge']);
    expect(refused).toEqual([[2, 'AccessDeniedException']]);
    expect(failed).toEqual([[2, 'AccessDeniedException']]);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: 'record sent to the poison DLQ',
        attributes: { reason: 'unparseable-item', sequenceNumber: seq(2) },
      },
      {
        level: 'warn',
        message: 'record sent to the poison DLQ',
        attributes: { reason: 'rejected-by-eventbridge', sequenceNumber: seq(1) },
      },
    ]);
  });

  it('counts failed DLQ sends of poison records and of rejected entries, and a record with an entry held back behind a poison record as not done', async () => {
    const logger = recordingLogger();
    const clock = fakeClock();
    const requests: string[][] = [];
    const eventBridge = {
      send: async (command: PutEventsCommand) => {
        const entries = command.input.Entries ?? [];
        requests.push(entries.map((e) => e.DetailType as string));
        return {
          Entries: entries.map((e: PutEventsRequestEntry) =>
            e.DetailType === 'Malformed'
              ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' }
              : { EventId: 'e' },
          ),
        };
      },
    };
    const sqs = {
      send: async () => {
        throw Object.assign(new Error('queue unavailable'), { name: 'QueueDoesNotExist' });
      },
    };
    const mappings: BatchRecordMapping[] = [
      { kind: 'events', entries: [anEntry('B', 'Malformed')] },
      { kind: 'poison', reason: 'unparseable-item', message: 'unreadable', orderingKey: 'A' },
      { kind: 'events', entries: [anEntry('A', 'HeldBack'), anEntry('C', 'Ok')] },
    ];

    const result = await processBatch(
      [1, 2, 3].map(aRecord),
      mappings,
      {
        poisonQueueUrl: 'queue',
        concurrency: 2,
        publish: { maxAttempts: 1 },
        deadLetteredMessage: 'record sent to the poison DLQ',
      },
      { eventBridge: eventBridge as never, sqs: sqs as never, logger, now: clock.now },
    );

    expect(requests).toEqual([['Malformed', 'Ok']]);
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: seq(1) }],
      checkpoint: seq(1),
      counts: {
        entries: 2,
        published: 1,
        poisonRecords: 0,
        deadLetteredEntries: 0,
        poisonSendFailures: 2,
        requests: 1,
        failedEntries: 1,
        retriedEntries: 0,
        notProcessed: 3,
      },
    });
    expect(logger.lines.map((l) => [l.level, l.message, l.attributes.reason])).toEqual([
      ['error', 'poison DLQ send failed; the record will be retried', 'unparseable-item'],
      ['error', 'poison DLQ send failed; the record will be retried', 'rejected-by-eventbridge'],
    ]);
  });
});

describe('planEntries', () => {
  it('keeps every entry of the events records in stream order, each with the index of its record', () => {
    const mappings: BatchRecordMapping[] = [
      { kind: 'events', entries: [anEntry('A', 'One'), anEntry('B', 'Two')] },
      { kind: 'poison', reason: 'unparseable-item', message: 'unreadable', orderingKey: 'A' },
      { kind: 'events', entries: [] },
      { kind: 'events', entries: [anEntry('C', 'Three')] },
    ];

    const plan = planEntries(mappings, new Map());

    expect(plan.entries.map((e) => e.entry.DetailType)).toEqual(['One', 'Two', 'Three']);
    expect(plan.entryRecord).toEqual([0, 0, 3]);
  });

  it('leaves out the entries of a key after a poison record of that key still out of the DLQ', () => {
    const mappings: BatchRecordMapping[] = [
      { kind: 'events', entries: [anEntry('A', 'Before')] },
      { kind: 'poison', reason: 'unparseable-item', message: 'unreadable', orderingKey: 'A' },
      { kind: 'events', entries: [anEntry('A', 'After'), anEntry('B', 'Other')] },
    ];

    const plan = planEntries(mappings, new Map([['A', 1]]));

    expect(plan.entries.map((e) => e.entry.DetailType)).toEqual(['Before', 'Other']);
    expect(plan.entryRecord).toEqual([0, 2]);
  });
});
