import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractResolver } from '../relay/contract-resolver';
import { buildPoisonMessage } from '../relay/poison';
import type { LocalStack, OutboxEventInput, Scenario } from './fixtures/local-stack';
import { onFailureMessage, startLocalStack } from './fixtures/local-stack';
import type { RedriveOptions } from './redrive';
import { REDRIVE_ENV } from './env';
import { createRedriveHandler } from './handler';
import { redrive } from './redrive';

const SOURCE = 'outboxed.test-orders';
const DAY = 24 * 60 * 60 * 1000;
const run = promisify(execFile);
const workspaceRoot = join(import.meta.dirname, '..', '..', '..', '..');

/** Contracts of the test events: OrderPlaced v1 needs a non-negative amount. */
const contracts: ContractResolver = {
  find: (type, version) =>
    type === 'OrderPlaced' && version === 1
      ? {
          source: SOURCE,
          validateDetail: (detail) =>
            ((detail as { data: { amount: number } }).data.amount ?? -1) >= 0
              ? []
              : [{ path: 'detail.data.amount', message: 'must be >= 0' }],
        }
      : undefined,
};

let local: LocalStack;

beforeAll(async () => {
  local = await startLocalStack();
});

afterAll(async () => {
  await local?.stop();
});

async function arrange(): Promise<Scenario & { options: RedriveOptions }> {
  const scenario = await local.arrange(SOURCE);
  return {
    ...scenario,
    options: {
      tableName: scenario.name,
      eventBusName: scenario.name,
      onFailureQueueUrl: scenario.onFailureQueueUrl,
      poisonQueueUrl: scenario.poisonQueueUrl,
      contracts,
      queue: { waitTimeSeconds: 0 },
    },
  };
}

const order = (orderId: string, sequence: number, amount = 10): OutboxEventInput => ({
  source: SOURCE,
  type: 'OrderPlaced',
  version: 1,
  aggregateType: 'Order',
  aggregateId: orderId,
  partitionKey: `ORDER#${orderId}`,
  sequence,
  data: { orderId, amount },
});

const write = (scenario: Scenario, events: OutboxEventInput[], now?: () => Date) =>
  local.write(scenario, events, now);
const streamRecords = (scenario: Scenario) => local.streamRecords(scenario);
const send = (queueUrl: string, body: unknown) => local.send(queueUrl, body);
const drain = (queueUrl: string) => local.drain(queueUrl);
const publishedIds = (scenario: Scenario) => local.publishedIds(scenario);
const redrivenAt = (scenario: Scenario, item: { partitionKey: string; sortKey: string }) =>
  local.redrivenAt(scenario, item);
const deps = () => local.clients;

describe('redrive', () => {
  it('guarantee 2: what exhausts its retries can be redriven: pointers resolved from the stream, original ids kept, expired items reported, a second run republishes nothing new', async () => {
    const scenario = await arrange();
    const eightDaysAgo = new Date(Date.now() - 8 * DAY);
    const [expired] = await write(scenario, [order('o-expired', 1)], () => eightDaysAgo);
    const [a1, a2, deleted, b1] = await write(scenario, [
      order('o-a', 1),
      order('o-a', 2),
      order('o-deleted', 1),
      order('o-b', 1),
    ]);
    const gone = deleted as NonNullable<typeof deleted>;
    // As TTL would: the item is gone from the table, its INSERT is still in the stream (followed by a REMOVE).
    await local.clients.dynamodb.send(
      new DeleteItemCommand({
        TableName: scenario.name,
        Key: { pk: { S: gone.partitionKey }, sk: { S: gone.sortKey } },
      }),
    );
    const { shardId, records } = await streamRecords(scenario);
    expect(records.map((r) => r.eventName)).toEqual([
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'REMOVE',
    ]);
    // The relay's batch covered every record: the REMOVE too (the mapping's filter drops it before the relay).
    const pointer = onFailureMessage({
      shardId,
      streamArn: scenario.streamArn,
      first: records[0] as _Record,
      last: records[5] as _Record,
      batchSize: 5,
    });
    await send(scenario.onFailureQueueUrl, pointer);

    const first = await redrive(scenario.options, deps());

    expect(first).toEqual({
      dryRun: false,
      republished: [
        { eventId: a1?.eventId, eventType: 'OrderPlaced', aggregateId: 'o-a', origin: 'on-failure' },
        { eventId: a2?.eventId, eventType: 'OrderPlaced', aggregateId: 'o-a', origin: 'on-failure' },
        { eventId: b1?.eventId, eventType: 'OrderPlaced', aggregateId: 'o-b', origin: 'on-failure' },
      ],
      skipped: [
        { eventId: expired?.eventId, origin: 'on-failure', reason: 'expired', messageId: expect.any(String) },
        { eventId: gone.eventId, origin: 'on-failure', reason: 'expired', messageId: expect.any(String) },
      ],
      failed: [],
      messages: { onFailure: { received: 1, deleted: 1 }, poison: { received: 0, deleted: 0 } },
      pointers: { fromStream: 1, fromTimeWindow: 0 },
    });
    expect((await publishedIds(scenario)).sort()).toEqual([a1?.eventId, a2?.eventId, b1?.eventId].sort());
    for (const item of [a1, a2, b1])
      expect(await redrivenAt(scenario, item as NonNullable<typeof item>)).toEqual(expect.any(String));

    // Idempotent: the pointer was deleted, and a replayed pointer finds every item already redriven.
    await send(scenario.onFailureQueueUrl, pointer);
    const second = await redrive(scenario.options, deps());
    expect(second.republished).toEqual([]);
    expect(second.skipped.map((s) => [s.eventId, s.reason])).toEqual([
      [expired?.eventId, 'expired'],
      [a1?.eventId, 'already-redriven'],
      [a2?.eventId, 'already-redriven'],
      [gone.eventId, 'expired'],
      [b1?.eventId, 'already-redriven'],
    ]);
    expect(second.messages.onFailure).toEqual({ received: 1, deleted: 1 });
    expect(await publishedIds(scenario)).toEqual([]);
  });

  it('guarantee 2: a dry run reports what it would republish and publishes, marks and deletes nothing', async () => {
    const scenario = await arrange();
    const [a1] = await write(scenario, [order('o-dry', 1)]);
    const { shardId, records } = await streamRecords(scenario);
    await send(
      scenario.onFailureQueueUrl,
      onFailureMessage({
        shardId,
        streamArn: scenario.streamArn,
        first: records[0] as _Record,
        last: records[0] as _Record,
        batchSize: 1,
      }),
    );

    const report = await redrive({ ...scenario.options, dryRun: true }, deps());

    expect(report.dryRun).toBe(true);
    expect(report.republished).toEqual([
      { eventId: a1?.eventId, eventType: 'OrderPlaced', aggregateId: 'o-dry', origin: 'on-failure' },
    ]);
    expect(report.messages.onFailure).toEqual({ received: 1, deleted: 0 });
    expect(await publishedIds(scenario)).toEqual([]);
    expect(await redrivenAt(scenario, a1 as NonNullable<typeof a1>)).toBeUndefined();
    const real = await redrive(scenario.options, deps());
    expect(real.republished.map((r) => r.eventId)).toEqual([a1?.eventId]);
  });

  it('guarantee 2: resolves a pointer whose stream range is gone by the time window of its outbox items', async () => {
    const scenario = await arrange();
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    const [old] = await write(scenario, [order('o-old', 1)], () => twoDaysAgo);
    await write(scenario, [order('o-recent', 1)]);
    const stamp = twoDaysAgo.toISOString().replace(/\.\d+Z$/, 'Z');
    await send(scenario.onFailureQueueUrl, {
      requestContext: { condition: 'RecordAgeExceeded' },
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000001700000000000-00000000',
        startSequenceNumber: '100000000000000000000001',
        endSequenceNumber: '100000000000000000000001',
        approximateArrivalOfFirstRecord: stamp,
        approximateArrivalOfLastRecord: stamp,
        batchSize: 1,
        streamArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${scenario.name}/stream/2020-01-01T00:00:00.000`,
      },
    });

    const report = await redrive(scenario.options, deps());

    expect(report.pointers).toEqual({ fromStream: 0, fromTimeWindow: 1 });
    expect(report.republished.map((r) => r.eventId)).toEqual([old?.eventId]);
    expect(await publishedIds(scenario)).toEqual([old?.eventId]);
  });

  it('guarantee 2: keeps a poison record that still violates its contract, then republishes it by event id once fixed by hand (CLI)', async () => {
    const scenario = await arrange();
    const [bad] = await write(scenario, [order('o-bad', 1, -5)]);
    const item = bad as NonNullable<typeof bad>;
    const { records } = await streamRecords(scenario);
    const poison = buildPoisonMessage(
      records[0] as never,
      { reason: 'contract-violation', message: 'amount', violations: [], eventId: item.eventId },
      new Date(),
    );
    await send(scenario.poisonQueueUrl, poison);

    const stillBad = await redrive(scenario.options, deps());
    expect(stillBad.failed).toEqual([
      {
        eventId: item.eventId,
        origin: 'poison',
        messageId: expect.any(String),
        reason: expect.stringMatching(/^contract-violation: .*detail\.data\.amount/),
      },
    ]);
    expect(stillBad.messages.poison).toEqual({ received: 1, deleted: 0 });

    await local.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: scenario.name,
        Key: { pk: { S: item.partitionKey }, sk: { S: item.sortKey } },
        UpdateExpression: 'SET payload.amount = :fixed',
        ExpressionAttributeValues: { ':fixed': { N: '5' } },
      }),
    );
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'libs/outbox/src/redrive/cli.ts',
        '--table',
        scenario.name,
        '--on-failure-queue-url',
        scenario.onFailureQueueUrl,
        '--poison-queue-url',
        scenario.poisonQueueUrl,
        '--event-bus',
        scenario.name,
        '--endpoint-url',
        local.edge.endpoint,
        '--dynamodb-endpoint-url',
        local.ddb.endpoint,
        '--region',
        'us-east-1',
        '--event-id',
        item.eventId,
      ],
      {
        cwd: workspaceRoot,
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
      },
    );
    const report = JSON.parse(stdout) as Awaited<ReturnType<typeof redrive>>;
    expect(report.republished).toEqual([
      { eventId: item.eventId, eventType: 'OrderPlaced', aggregateId: 'o-bad', origin: 'poison' },
    ]);
    expect(report.messages.poison).toEqual({ received: 1, deleted: 1 });
    const published = (await drain(scenario.observerUrl)) as {
      detail: { metadata: { id: string }; data: unknown };
    }[];
    expect(published.map((e) => [e.detail.metadata.id, e.detail.data])).toEqual([
      [item.eventId, { orderId: 'o-bad', amount: 5 }],
    ]);
  });
});

describe('redrive when EventBridge refuses', () => {
  it('guarantee 2: reports the event as failed, keeps its message visible and unmarked, and a later run republishes it', async () => {
    const scenario = await arrange();
    const [item] = await write(scenario, [order('o-refused', 1)]);
    const refused = item as NonNullable<typeof item>;
    const { shardId, records } = await streamRecords(scenario);
    await send(
      scenario.onFailureQueueUrl,
      onFailureMessage({
        shardId,
        streamArn: scenario.streamArn,
        first: records[0] as _Record,
        last: records[0] as _Record,
        batchSize: 1,
      }),
    );
    const refusing = {
      send: async () => {
        throw Object.assign(new Error('User is not authorized to perform events:PutEvents'), {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 400 },
        });
      },
    };

    const report = await redrive(scenario.options, { ...deps(), eventBridge: refusing as never });

    expect(report.failed).toEqual([
      {
        eventId: refused.eventId,
        origin: 'on-failure',
        reason: 'PutEvents AccessDeniedException: User is not authorized to perform events:PutEvents',
      },
    ]);
    expect(report.messages.onFailure).toEqual({ received: 1, deleted: 0 });
    expect(await redrivenAt(scenario, refused)).toBeUndefined();
    const retried = await redrive(scenario.options, deps());
    expect(retried.republished.map((r) => r.eventId)).toEqual([refused.eventId]);
    expect(await publishedIds(scenario)).toEqual([refused.eventId]);
  });
});

describe('createRedriveHandler', () => {
  it('runs the redrive on the queues and table its environment names and returns the report', async () => {
    const scenario = await arrange();
    const handler = createRedriveHandler({
      contracts,
      deps: deps(),
      env: {
        [REDRIVE_ENV.tableName]: scenario.name,
        [REDRIVE_ENV.eventBusName]: scenario.name,
        [REDRIVE_ENV.onFailureQueueUrl]: scenario.onFailureQueueUrl,
        [REDRIVE_ENV.poisonQueueUrl]: scenario.poisonQueueUrl,
      },
    });

    expect(await handler({ dryRun: true })).toEqual({
      dryRun: true,
      republished: [],
      skipped: [],
      failed: [],
      messages: { onFailure: { received: 0, deleted: 0 }, poison: { received: 0, deleted: 0 } },
      pointers: { fromStream: 0, fromTimeWindow: 0 },
    });
  });

  it('names the environment variable it misses', async () => {
    const handler = createRedriveHandler({ deps: deps(), env: {} });
    await expect(handler({})).rejects.toThrow(
      'The redrive function needs the environment variable OUTBOX_TABLE_NAME; it is not set. Deploy it with OutboxRelay (redrive: true).',
    );
  });
});

describe('redrive of a recent pointer whose stream is gone', () => {
  it('guarantee 2: falls back to the time window when the stream no longer exists', async () => {
    const scenario = await arrange();
    const [item] = await write(scenario, [order('o-replaced-stream', 1)]);
    const { shardId, records } = await streamRecords(scenario);
    const pointer = onFailureMessage({
      shardId,
      streamArn: scenario.streamArn.replace(/stream\/.*$/, 'stream/2020-01-01T00:00:00.000'),
      first: records[0] as _Record,
      last: records[0] as _Record,
      batchSize: 1,
    });
    await send(scenario.onFailureQueueUrl, pointer);

    const report = await redrive(scenario.options, deps());

    expect(report.pointers).toEqual({ fromStream: 0, fromTimeWindow: 1 });
    expect(report.republished.map((r) => r.eventId)).toEqual([item?.eventId]);
  });
});

describe('redrive when a message cannot be handled', () => {
  it('reports it as failed with the error, keeps it, and handles the other messages', async () => {
    const scenario = await arrange();
    const [item] = await write(scenario, [order('o-other', 1)]);
    const { shardId, records } = await streamRecords(scenario);
    await send(scenario.poisonQueueUrl, { reason: 'unparseable-item', eventId: 'x', keys: { pk: 1 } });
    await send(scenario.poisonQueueUrl, { not: 'a poison message' });
    await send(
      scenario.onFailureQueueUrl,
      onFailureMessage({
        shardId,
        streamArn: scenario.streamArn,
        first: records[0] as _Record,
        last: records[0] as _Record,
        batchSize: 1,
      }),
    );

    const report = await redrive(scenario.options, deps());

    expect(report.republished.map((r) => r.eventId)).toEqual([item?.eventId]);
    expect(report.failed).toEqual([
      {
        origin: 'poison',
        eventId: 'x',
        messageId: expect.any(String),
        reason: expect.stringMatching(/^error: ValidationException: /),
      },
      {
        origin: 'poison',
        messageId: expect.any(String),
        reason: 'unrecognized-message: the body is not a relay poison message with the item keys',
      },
    ]);
    expect(report.messages).toEqual({
      onFailure: { received: 1, deleted: 1 },
      poison: { received: 2, deleted: 0 },
    });
  });
});

describe('redrive without contracts', () => {
  it('skips a poison record it cannot check (needs-contract-check) and keeps its message', async () => {
    const scenario = await arrange();
    const [item] = await write(scenario, [order('o-unchecked', 1, -1)]);
    const poisoned = item as NonNullable<typeof item>;
    const { records } = await streamRecords(scenario);
    await send(
      scenario.poisonQueueUrl,
      buildPoisonMessage(
        records[0] as never,
        { reason: 'contract-violation', message: 'amount', violations: [], eventId: poisoned.eventId },
        new Date(),
      ),
    );
    const { contracts: _none, ...withoutContracts } = scenario.options;

    const report = await redrive(withoutContracts, deps());

    expect(report.skipped).toEqual([
      {
        eventId: poisoned.eventId,
        origin: 'poison',
        reason: 'needs-contract-check',
        messageId: expect.any(String),
      },
    ]);
    expect(report.messages.poison).toEqual({ received: 1, deleted: 0 });
    expect(await publishedIds(scenario)).toEqual([]);
  });
});
