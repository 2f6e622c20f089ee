import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { sharedDynamoDbLocal, uniqueTableName } from '@outboxed/dynamodb-local/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFunction } from '../lambda/local-function';
import { DynamoDbStreamMapping } from './dynamodb-stream-mapping';
import type { LambdaStreamRecord, StreamMappingConfig } from './dynamodb-stream-mapping';
import { compileEventPattern } from '@outboxed/local-aws';
import { memoryCheckpoints } from './types';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'stream-recorder');
const recorderArn = 'arn:aws:lambda:us-east-1:000000000000:function:recorder';
let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  const ddb = sharedDynamoDbLocal();
  client = new DynamoDBClient(ddb.clientConfig);
  streams = new DynamoDBStreamsClient(ddb.clientConfig);
});

afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
  client?.destroy();
  streams?.destroy();
});

interface Item {
  id: string;
  failTimes?: number;
  kind?: string;
}

async function createStreamTable(): Promise<{ tableName: string; streamArn: string }> {
  const tableName = uniqueTableName('esm');
  const out = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  );
  return { tableName, streamArn: out.TableDescription?.LatestStreamArn as string };
}

async function put(tableName: string, items: Item[]): Promise<void> {
  for (const item of items) {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'AGG#1' },
          sk: { S: item.id },
          id: { S: item.id },
          ...(item.failTimes ? { failTimes: { N: String(item.failTimes) } } : {}),
          ...(item.kind ? { kind: { S: item.kind } } : {}),
        },
      }),
    );
  }
}

async function runMapping(
  items: Item[],
  config: Partial<StreamMappingConfig>,
  mode: 'throw' | 'partial',
  expectedIds: number,
  delayBeforeStartMs = 0,
  writeAfterStartEveryMs?: number,
) {
  const { tableName, streamArn } = await createStreamTable();
  const dir = mkdtempSync(join(tmpdir(), 'esm-'));
  const invocationsFile = join(dir, 'invocations.jsonl');
  writeFileSync(invocationsFile, '');
  const fn = new LocalFunction(
    {
      name: 'recorder',
      arn: recorderArn,
      codeDir: fixture,
      handler: 'index.handler',
      environment: { INVOCATIONS_FILE: invocationsFile, MODE: mode },
      timeoutSeconds: 10,
    },
    () => undefined,
  );
  const destination: Record<string, unknown>[] = [];
  const mapping = new DynamoDbStreamMapping(
    {
      uuid: `m-${tableName}`,
      functionArn: recorderArn,
      eventSourceArn: streamArn,
      startingPosition: 'TRIM_HORIZON',
      ...config,
    },
    {
      streams,
      invoke: (_arn, event) => fn.invoke(event),
      sendToDestination: async (_arn, message) => void destination.push(message),
      compileFilter: compileEventPattern,
      checkpoints: memoryCheckpoints(),
      log: () => undefined,
      pollIntervalMs: 50,
      retryBackoffMs: 10,
      shardDiscoveryMs: 200,
    },
  );
  cleanups.push(
    () => mapping.stop(),
    () => fn.stop(),
  );
  if (writeAfterStartEveryMs === undefined) {
    await put(tableName, items);
    await new Promise((r) => setTimeout(r, delayBeforeStartMs));
    mapping.start();
  } else {
    mapping.start();
    await new Promise((r) => setTimeout(r, 500));
    for (const item of items) {
      await put(tableName, [item]);
      await new Promise((r) => setTimeout(r, writeAfterStartEveryMs));
    }
  }
  const read = () =>
    readFileSync(invocationsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string[]);
  await expect
    .poll(() => read().flat().length, { timeout: 20_000, interval: 100 })
    .toBeGreaterThanOrEqual(expectedIds);
  // let a wrong extra delivery show up before asserting the exact list
  await new Promise((r) => setTimeout(r, 300));
  await mapping.stop();
  return { invocations: read(), destination };
}

const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

describe('DynamoDbStreamMapping (against DynamoDB Local streams)', () => {
  // Using AWS Lambda with Amazon DynamoDB (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html): Lambda reads
  // each shard's records in order and invokes the function with batches of up to BatchSize
  it('delivers one shard in order, in batches of at most BatchSize', async () => {
    const written = ids('o', 12);

    const { invocations } = await runMapping(
      written.map((id) => ({ id })),
      { batchSize: 5 },
      'throw',
      12,
    );

    expect(invocations.flat()).toEqual(written);
    expect(invocations.every((batch) => batch.length <= 5)).toBe(true);
  });

  // Configuring partial batch response with DynamoDB and Lambda (services-ddb-batchfailurereporting)
  it('resumes at the lowest reported itemIdentifier after a partial batch failure, through a real worker', async () => {
    const { invocations, destination } = await runMapping(
      [{ id: 'a' }, { id: 'b' }, { id: 'c', failTimes: 1 }, { id: 'd' }, { id: 'e', failTimes: 1 }],
      { batchSize: 10, reportBatchItemFailures: true },
      'partial',
      8,
    );

    expect(invocations).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['c', 'd', 'e'],
    ]);
    expect(destination).toEqual([]);
  });

  // Retaining discarded records for a DynamoDB event source in Lambda (services-dynamodb-errors): "Splitting
  // batches doesn't consume the retry quota"; each case is in dynamodb-stream-error-handling.test.ts
  it('bisects a failing batch without consuming retries, retries only the poison record, discards it and moves on', async () => {
    const { invocations, destination } = await runMapping(
      [{ id: 'a' }, { id: 'b' }, { id: 'c', failTimes: 99 }, { id: 'd' }],
      {
        batchSize: 4,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 2,
        onFailureDestinationArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      },
      'throw',
      12,
    );

    expect(invocations).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c'], ['c'], ['c'], ['d']]);
    expect(destination).toEqual([
      {
        requestContext: {
          requestId: expect.any(String),
          functionArn: recorderArn,
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 3,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: expect.any(String),
        DDBStreamBatchInfo: {
          shardId: expect.any(String),
          startSequenceNumber: expect.any(String),
          endSequenceNumber: expect.any(String),
          approximateArrivalOfFirstRecord: expect.stringMatching(/Z$/),
          approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
          batchSize: 1,
          streamArn: expect.stringContaining('/stream/'),
        },
      },
    ]);
  });

  // Lambda parameters for Amazon DynamoDB event source mappings (services-ddb-params): MaximumRetryAttempts
  it('retries a failing batch MaximumRetryAttempts times, then sends it to the on-failure destination', async () => {
    const { invocations, destination } = await runMapping(
      [{ id: 'a' }, { id: 'b', failTimes: 99 }],
      {
        batchSize: 10,
        maximumRetryAttempts: 2,
        onFailureDestinationArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      },
      'throw',
      6,
    );

    expect(invocations).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(destination.map((m) => (m.DDBStreamBatchInfo as { batchSize: number }).batchSize)).toEqual([2]);
  });

  // Control which events Lambda sends to your function (invocation-eventfiltering)
  it('sends only the records matching FilterCriteria', async () => {
    const { invocations } = await runMapping(
      [{ id: 'k1', kind: 'keep' }, { id: 'd1', kind: 'drop' }, { id: 'k2', kind: 'keep' }, { id: 'n1' }],
      {
        batchSize: 10,
        filterPatterns: [JSON.stringify({ dynamodb: { NewImage: { kind: { S: ['keep'] } } } })],
      },
      'throw',
      2,
    );

    expect(invocations.flat()).toEqual(['k1', 'k2']);
  });

  // Lambda parameters for Amazon DynamoDB event source mappings: MaximumRecordAgeInSeconds
  it('discards records older than MaximumRecordAgeInSeconds to the on-failure destination without invoking', async () => {
    const { invocations, destination } = await runMapping(
      [{ id: 'old-1' }, { id: 'old-2' }],
      {
        batchSize: 10,
        maximumRecordAgeInSeconds: 1,
        onFailureDestinationArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      },
      'throw',
      0,
      2500,
    );

    expect(invocations).toEqual([]);
    expect(
      destination.map((m) => [
        (m.requestContext as { condition: string }).condition,
        (m.DDBStreamBatchInfo as { batchSize: number }).batchSize,
      ]),
    ).toEqual([['RecordAgeExceeded', 2]]);
  });

  // Lambda parameters for Amazon DynamoDB event source mappings: MaximumBatchingWindowInSeconds
  it('gathers records arriving within MaximumBatchingWindowInSeconds into one batch', async () => {
    const { invocations } = await runMapping(
      [{ id: 'w1' }, { id: 'w2' }, { id: 'w3' }],
      { batchSize: 10, maximumBatchingWindowInSeconds: 5 },
      'throw',
      3,
      0,
      300,
    );

    expect(invocations).toEqual([['w1', 'w2', 'w3']]);
  });

  // Amazon DynamoDB Streams API Reference, StreamRecord: ApproximateCreationDateTime is "rounded down to the closest
  // second"; DynamoDB Local rounds it down to the minute, and the mapping dates records by its own reads instead
  it('hands the function an ApproximateCreationDateTime true to the second, though DynamoDB Local stamps the minute', async () => {
    const { tableName, streamArn } = await createStreamTable();
    const created: number[] = [];
    const mapping = new DynamoDbStreamMapping(
      {
        uuid: `m-${tableName}`,
        functionArn: recorderArn,
        eventSourceArn: streamArn,
        startingPosition: 'TRIM_HORIZON',
      },
      {
        streams,
        invoke: async (_arn, event) => {
          for (const r of (event as { Records: LambdaStreamRecord[] }).Records)
            created.push(r.dynamodb.ApproximateCreationDateTime as number);
          return {};
        },
        sendToDestination: async () => undefined,
        compileFilter: compileEventPattern,
        checkpoints: memoryCheckpoints(),
        log: () => undefined,
        pollIntervalMs: 50,
        shardDiscoveryMs: 200,
      },
    );
    cleanups.push(() => mapping.stop());
    mapping.start();
    await put(tableName, [{ id: 'first' }]);
    await expect.poll(() => created.length, { timeout: 20_000 }).toBe(1);

    const beforeWrite = Date.now();
    await put(tableName, [{ id: 'second' }]);
    await expect.poll(() => created.length, { timeout: 20_000 }).toBe(2);
    const afterDelivery = Date.now();
    await mapping.stop();

    // the mapping's last read to the end of the shard was sent before the write, by one poll interval plus that
    // read's own time on a busy machine: a few seconds of slack, where DynamoDB Local's minute is up to 59 s off
    // (the exact rule is tested with a mocked stream in dynamodb-stream-error-handling.test.ts)
    expect(created[1]).toBeGreaterThanOrEqual(Math.floor(beforeWrite / 1000) - 5);
    expect(created[1]).toBeLessThanOrEqual(Math.floor(afterDelivery / 1000));
  });

  it('stores a checkpoint only when it moves: an idle shard polled many times writes none', async () => {
    const { tableName, streamArn } = await createStreamTable();
    const stored: string[] = [];
    const memory = memoryCheckpoints();
    let delivered = 0;
    const mapping = new DynamoDbStreamMapping(
      {
        uuid: `m-${tableName}`,
        functionArn: recorderArn,
        eventSourceArn: streamArn,
        startingPosition: 'TRIM_HORIZON',
      },
      {
        streams,
        invoke: async (_arn, event) => {
          delivered += (event as { Records: LambdaStreamRecord[] }).Records.length;
          return {};
        },
        sendToDestination: async () => undefined,
        compileFilter: compileEventPattern,
        checkpoints: { get: memory.get, set: (k, v) => (stored.push(v), memory.set(k, v)) },
        log: () => undefined,
        pollIntervalMs: 20,
        shardDiscoveryMs: 200,
      },
    );
    cleanups.push(() => mapping.stop());
    mapping.start();
    await put(tableName, [{ id: 'a' }, { id: 'b' }]);
    await expect.poll(() => delivered, { timeout: 20_000 }).toBe(2);
    const afterDelivery = stored.length;

    // about 25 empty reads of the shard's end
    await new Promise((r) => setTimeout(r, 500));
    await put(tableName, [{ id: 'c' }]);
    await expect.poll(() => delivered, { timeout: 20_000 }).toBe(3);
    await mapping.stop();

    expect(afterDelivery).toBeGreaterThan(0);
    expect(stored.length).toBe(afterDelivery + 1);
    expect(new Set(stored).size).toBe(stored.length);
  });
});
