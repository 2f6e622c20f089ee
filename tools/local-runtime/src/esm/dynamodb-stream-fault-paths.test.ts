import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { compileEventPattern } from '@outboxed/local-aws';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DynamoDbStreamMapping } from './dynamodb-stream-mapping';
import { memoryCheckpoints } from './types';

const streamArn = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-11-29T00:00:00.000';
const record = (sequence: string) => ({
  eventID: `e${sequence}`,
  eventName: 'INSERT' as const,
  dynamodb: {
    SequenceNumber: sequence,
    ApproximateCreationDateTime: new Date('2026-11-29T00:00:00Z'),
    NewImage: { id: { S: sequence } },
  },
});

describe('DynamoDbStreamMapping (fault paths, mocked streams client)', () => {
  it('gets a new iterator after the last fetched sequence number when GetRecords says the iterator expired', async () => {
    const streams = mockClient(DynamoDBStreamsClient);
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } });
    streams
      .on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' })
      .resolves({ ShardIterator: 'it-1' })
      .on(GetShardIteratorCommand, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' })
      .resolves({ ShardIterator: 'it-2' });
    streams
      .on(GetRecordsCommand, { ShardIterator: 'it-1' })
      .resolves({ Records: [record('1'), record('2')], NextShardIterator: 'it-1b' })
      .on(GetRecordsCommand, { ShardIterator: 'it-1b' })
      .rejects(new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} }))
      .on(GetRecordsCommand, { ShardIterator: 'it-2' })
      .resolves({ Records: [record('3')], NextShardIterator: undefined });
    const batches: string[][] = [];
    const mapping = new DynamoDbStreamMapping(
      { uuid: 'm', functionArn: 'fn', eventSourceArn: streamArn, startingPosition: 'TRIM_HORIZON' },
      {
        streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
        invoke: async (_arn, event) => {
          batches.push(
            (event as { Records: { dynamodb: { SequenceNumber: string } }[] }).Records.map(
              (r) => r.dynamodb.SequenceNumber,
            ),
          );
          return {};
        },
        sendToDestination: async () => undefined,
        compileFilter: compileEventPattern,
        checkpoints: memoryCheckpoints(),
        log: () => undefined,
        pollIntervalMs: 10,
        shardDiscoveryMs: 50,
      },
    );

    mapping.start();
    await expect.poll(() => batches.flat(), { timeout: 5000 }).toEqual(['1', '2', '3']);
    await mapping.stop();

    expect(streams.commandCalls(GetShardIteratorCommand).map((c) => c.args[0].input)).toEqual([
      { StreamArn: streamArn, ShardId: 'shard-1', ShardIteratorType: 'TRIM_HORIZON' },
      {
        StreamArn: streamArn,
        ShardId: 'shard-1',
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        SequenceNumber: '2',
      },
    ]);
    streams.restore();
  });

  it('resumes from the checkpoint after an unexpected GetRecords error instead of abandoning the shard', async () => {
    const streams = mockClient(DynamoDBStreamsClient);
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } });
    streams
      .on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' })
      .resolves({ ShardIterator: 'it-1' })
      .on(GetShardIteratorCommand, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' })
      .resolves({ ShardIterator: 'it-2' });
    streams
      .on(GetRecordsCommand, { ShardIterator: 'it-1' })
      .resolves({ Records: [record('1')], NextShardIterator: 'it-1b' })
      .on(GetRecordsCommand, { ShardIterator: 'it-1b' })
      .rejects(new Error('socket hang up'))
      .on(GetRecordsCommand, { ShardIterator: 'it-2' })
      .resolves({ Records: [record('2')], NextShardIterator: undefined });
    const batches: string[][] = [];
    const logged: string[] = [];
    const mapping = new DynamoDbStreamMapping(
      { uuid: 'm', functionArn: 'fn', eventSourceArn: streamArn, startingPosition: 'TRIM_HORIZON' },
      {
        streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
        invoke: async (_arn, event) => {
          batches.push(
            (event as { Records: { dynamodb: { SequenceNumber: string } }[] }).Records.map(
              (r) => r.dynamodb.SequenceNumber,
            ),
          );
          return {};
        },
        sendToDestination: async () => undefined,
        compileFilter: compileEventPattern,
        checkpoints: memoryCheckpoints(),
        log: (e) => logged.push(e.kind),
        pollIntervalMs: 10,
        shardDiscoveryMs: 50,
      },
    );

    mapping.start();
    await expect.poll(() => batches, { timeout: 5000 }).toEqual([['1'], ['2']]);
    await mapping.stop();

    expect(logged).toContain('esm.error');
    expect(streams.commandCalls(GetShardIteratorCommand).at(-1)?.args[0].input).toEqual({
      StreamArn: streamArn,
      ShardId: 'shard-1',
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: '1',
    });
    streams.restore();
  });
});
