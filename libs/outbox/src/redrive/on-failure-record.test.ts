import { describe, expect, it } from 'vitest';
import { parseOnFailureRecord } from './on-failure-record';

const batchInfo = {
  shardId: 'shardId-00000001732900000000-1a2b3c4d',
  startSequenceNumber: '1234500000000000000000001',
  endSequenceNumber: '1234500000000000000000042',
  approximateArrivalOfFirstRecord: '2026-11-29T18:21:49Z',
  approximateArrivalOfLastRecord: '2026-11-29T18:21:50Z',
  batchSize: 42,
  streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/users/stream/2026-11-01T00:00:00.000',
};

const message = {
  requestContext: {
    requestId: '316aa6d0-8154-4a48-b9d4-3c3a4bd7b3c5',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:relay',
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 11,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2026-11-29T18:22:26.479Z',
  DDBStreamBatchInfo: batchInfo,
};

describe('parseOnFailureRecord', () => {
  it("reads Lambda's on-failure record of a DynamoDB stream batch", () => {
    expect(parseOnFailureRecord(JSON.stringify(message))).toEqual({
      requestContext: message.requestContext,
      timestamp: message.timestamp,
      DDBStreamBatchInfo: batchInfo,
    });
  });

  it.each([
    ['no body', undefined],
    ['a body that is not JSON', '{"DDBStreamBatchInfo":'],
    [
      'a Kinesis record (KinesisBatchInfo)',
      JSON.stringify({ ...message, DDBStreamBatchInfo: undefined, KinesisBatchInfo: batchInfo }),
    ],
    [
      'a sequence number that is not digits',
      JSON.stringify({ ...message, DDBStreamBatchInfo: { ...batchInfo, endSequenceNumber: 'x' } }),
    ],
    [
      'a poison message',
      JSON.stringify({ reason: 'contract-violation', eventId: '01J', keys: { pk: 'a', sk: 'b' } }),
    ],
  ])('returns undefined for %s', (_case, body) => {
    expect(parseOnFailureRecord(body)).toBeUndefined();
  });
});
