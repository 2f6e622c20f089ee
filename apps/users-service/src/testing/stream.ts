import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * Every record of a table's stream so far, read with the real DynamoDB Streams API (DescribeStream →
 * GetShardIterator(TRIM_HORIZON) → GetRecords), shaped as Lambda's event source mapping hands them to a
 * function (`ApproximateCreationDateTime` in epoch seconds, `eventSourceARN` set).
 *
 * @example const records = await readStreamRecords(dynamoDb, new DynamoDBStreamsClient(config), tableName);
 */
export async function readStreamRecords(
  dynamoDb: DynamoDBClient,
  streams: DynamoDBStreamsClient,
  tableName: string,
): Promise<DynamoDBRecord[]> {
  const table = await dynamoDb.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${tableName} has no stream.`);
  const stream = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: DynamoDBRecord[] = [];
  for (const shard of stream.StreamDescription?.Shards ?? []) {
    const iterator = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let next = iterator.ShardIterator;
    while (next) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: next }));
      records.push(...(page.Records ?? []).map((record) => toLambdaRecord(record, streamArn)));
      if ((page.Records ?? []).length === 0) break;
      next = page.NextShardIterator;
    }
  }
  return records;
}

function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    ...(record.eventID ? { eventID: record.eventID } : {}),
    ...(record.eventName ? { eventName: record.eventName } : {}),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: record.dynamodb?.Keys as never,
      NewImage: record.dynamodb?.NewImage as never,
      SequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      SizeBytes: record.dynamodb?.SizeBytes ?? 0,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}
