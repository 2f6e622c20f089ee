import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { compileEventPattern, startEdge } from '@outboxed/local-aws';
import type { Edge } from '@outboxed/local-aws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalFunction } from '../lambda/local-function';
import { SqsMapping } from './sqs-mapping';
import type { SqsMappingConfig } from './sqs-mapping';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'stream-recorder');
let edge: Edge;
let sqs: SQSClient;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  edge = await startEdge();
  sqs = new SQSClient({ endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials });
});
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});
afterAll(async () => {
  sqs?.destroy();
  await edge?.stop();
});

let queueCount = 0;
async function createQueues() {
  queueCount += 1;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${queueCount}` })))
    .QueueUrl as string;
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn as string;
  const queueUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `queue-${queueCount}`,
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
        },
      }),
    )
  ).QueueUrl as string;
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn as string;
  return { queueUrl, queueArn, dlqUrl };
}

async function runMapping(bodies: string[], config: Partial<SqsMappingConfig>) {
  const { queueUrl, queueArn, dlqUrl } = await createQueues();
  const invocationsFile = join(mkdtempSync(join(tmpdir(), 'sqs-esm-')), 'invocations.jsonl');
  writeFileSync(invocationsFile, '');
  const fn = new LocalFunction(
    {
      name: 'recorder',
      arn: 'recorder',
      codeDir: fixture,
      handler: 'index.handler',
      environment: { INVOCATIONS_FILE: invocationsFile, MODE: 'partial' },
    },
    () => undefined,
  );
  const mapping = new SqsMapping(
    {
      uuid: `m-${queueCount}`,
      functionArn: 'recorder',
      queueArn,
      queueUrl,
      maximumConcurrency: 1,
      ...config,
    },
    {
      sqs,
      invoke: (_arn, event) => fn.invoke(event),
      compileFilter: compileEventPattern,
      log: () => undefined,
    },
  );
  cleanups.push(
    () => mapping.stop(),
    () => fn.stop(),
  );
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
    }),
  );
  mapping.start();
  const invocations = () =>
    readFileSync(invocationsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string[]);
  return { invocations, queueUrl, dlqUrl };
}

const drain = async (url: string) =>
  (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 })))
    .Messages ?? [];

describe('SqsMapping (against the local edge)', () => {
  // Using Lambda with Amazon SQS (with-sqs): batches of up to BatchSize; a successful batch is deleted
  it('invokes with at most BatchSize messages and deletes the handled ones', async () => {
    const { invocations, queueUrl } = await runMapping(['m1', 'm2', 'm3', 'm4', 'm5'], { batchSize: 2 });

    await expect
      .poll(() => invocations().flat().sort(), { timeout: 15_000 })
      .toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(invocations().every((batch) => batch.length <= 2)).toBe(true);
    expect(await drain(queueUrl)).toEqual([]);
  });

  // Handling errors for an SQS event source in Lambda (services-sqs-errorhandling): with ReportBatchItemFailures
  // only the reported messages become visible again; the queue's redrive policy moves them after maxReceiveCount
  it('with ReportBatchItemFailures only the failed message returns, and after maxReceiveCount it is in the DLQ', async () => {
    const { invocations, dlqUrl } = await runMapping(['ok-1', 'fail-1', 'ok-2'], {
      batchSize: 10,
      reportBatchItemFailures: true,
    });

    let dead: { Body?: string }[] = [];
    await expect
      .poll(async () => (dead = [...dead, ...(await drain(dlqUrl))]).map((m) => m.Body), { timeout: 20_000 })
      .toEqual(['fail-1']);
    expect(
      invocations()
        .flat()
        .filter((b) => b.startsWith('ok'))
        .sort(),
    ).toEqual(['ok-1', 'ok-2']);
    expect(
      invocations()
        .flat()
        .filter((b) => b === 'fail-1'),
    ).toEqual(['fail-1', 'fail-1']);
  });

  // Control which events Lambda sends to your function (invocation-eventfiltering): Lambda deletes SQS messages
  // that match no filter
  it('deletes the messages not matching FilterCriteria without invoking the function', async () => {
    const { invocations, queueUrl } = await runMapping(['{"kind":"keep","n":1}', '{"kind":"drop","n":2}'], {
      filterPatterns: [JSON.stringify({ body: { kind: ['keep'] } })],
    });

    await expect.poll(() => invocations().flat(), { timeout: 15_000 }).toEqual(['{"kind":"keep","n":1}']);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await drain(queueUrl)).toEqual([]);
  });
});

describe('SqsMapping: responses and redelivery (Handling errors for an SQS event source in Lambda, services-sqs-errorhandling)', () => {
  /**
   * Runs the mapping with an in-process function that records `body@ApproximateReceiveCount` of each message and
   * answers with `respond(batch, invocation number)`; returns when `expected` deliveries were seen.
   */
  async function runScripted(
    bodies: string[],
    respond: (messages: { messageId: string; body: string }[], call: number) => unknown,
    expected: number,
  ) {
    const { queueUrl, queueArn, dlqUrl } = await createQueues();
    const deliveries: string[] = [];
    let calls = 0;
    const mapping = new SqsMapping(
      {
        uuid: `m-${queueCount}`,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:scripted',
        queueArn,
        queueUrl,
        maximumConcurrency: 1,
        reportBatchItemFailures: true,
      },
      {
        sqs,
        invoke: async (_arn, event) => {
          const records = (
            event as { Records: { messageId: string; body: string; attributes: Record<string, string> }[] }
          ).Records;
          for (const r of records) deliveries.push(`${r.body}@${r.attributes.ApproximateReceiveCount}`);
          calls += 1;
          return respond(records, calls);
        },
        compileFilter: compileEventPattern,
        log: () => undefined,
      },
    );
    cleanups.push(() => mapping.stop());
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
    mapping.start();
    await expect.poll(() => deliveries.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(expected);
    await mapping.stop();
    return { deliveries: deliveries.sort(), queueUrl, dlqUrl };
  }

  it.each([
    ['an empty string itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: '' }] })],
    ['a null itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: null }] })],
    [
      'an itemIdentifier with a bad key name',
      (m: { messageId: string }[]) => ({ batchItemFailures: [{ itemId: m[0]?.messageId }] }),
    ],
    [
      "a message ID that doesn't exist",
      () => ({ batchItemFailures: [{ itemIdentifier: 'no-such-message' }] }),
    ],
    ['a function error', () => Promise.reject(new Error('the scripted function failed'))],
  ])(
    'treats %s as complete failure: every message of the batch returns after the visibility timeout',
    async (_name, failure) => {
      const { deliveries, queueUrl } = await runScripted(
        ['m1', 'm2'],
        (messages, call) => (call === 1 ? failure(messages) : {}),
        4,
      );

      expect(deliveries).toEqual(['m1@1', 'm1@2', 'm2@1', 'm2@2']);
      expect(await drain(queueUrl)).toEqual([]);
    },
  );

  it.each([
    ['an empty batchItemFailures list', () => ({ batchItemFailures: [] })],
    ['a null batchItemFailures list', () => ({ batchItemFailures: null })],
    ['an empty response', () => ({})],
    ['a null response', () => null],
  ])('treats %s as complete success: every message is deleted', async (_name, success) => {
    const { deliveries, queueUrl } = await runScripted(['m1', 'm2'], () => success(), 2);

    expect(deliveries).toEqual(['m1@1', 'm2@1']);
    expect(await drain(queueUrl)).toEqual([]);
  });

  it("moves a message the function keeps failing to the queue's DLQ once it was received maxReceiveCount (2) times", async () => {
    const { deliveries, queueUrl, dlqUrl } = await runScripted(
      ['ok', 'poison'],
      (messages) => ({
        batchItemFailures: messages
          .filter((m) => m.body === 'poison')
          .map((m) => ({ itemIdentifier: m.messageId })),
      }),
      3,
    );

    // the queue moves the message when a third receive is asked for (here, after the mapping stopped)
    let dead: { Body?: string }[] = [];
    const receivedAgain: unknown[] = [];
    await expect
      .poll(
        async () => {
          receivedAgain.push(...(await drain(queueUrl)));
          return (dead = [...dead, ...(await drain(dlqUrl))]).map((m) => m.Body);
        },
        { timeout: 20_000 },
      )
      .toEqual(['poison']);
    expect(receivedAgain).toEqual([]);
    expect(deliveries).toEqual(['ok@1', 'poison@1', 'poison@2']);
  });
});

describe('SqsMapping record attributes', () => {
  // Amazon SQS and AWS X-Ray (xray-services-sqs): the AWSTraceHeader system attribute reaches the Lambda consumer
  it('hands each record its AWSTraceHeader, as Lambda does, and none to a record sent without', async () => {
    const trace = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
    const { queueUrl, queueArn } = await createQueues();
    const records: { body?: string; attributes?: Record<string, string> }[] = [];
    const mapping = new SqsMapping(
      { uuid: 'trace', functionArn: 'recorder', queueArn, queueUrl, maximumConcurrency: 1 },
      {
        sqs,
        invoke: async (_arn, event) => {
          records.push(...(event as { Records: typeof records }).Records);
          return {};
        },
        compileFilter: compileEventPattern,
        log: () => undefined,
      },
    );
    cleanups.push(() => mapping.stop());
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          {
            Id: 'traced',
            MessageBody: 'traced',
            MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: trace } },
          },
          { Id: 'plain', MessageBody: 'plain' },
        ],
      }),
    );

    mapping.start();

    await expect.poll(() => records.length, { timeout: 15_000 }).toBe(2);
    const byBody = Object.fromEntries(records.map((r) => [r.body, r.attributes]));
    expect(byBody['traced']).toMatchObject({ AWSTraceHeader: trace, ApproximateReceiveCount: '1' });
    expect(byBody['plain']).not.toHaveProperty('AWSTraceHeader');
  });
});
