import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from '../edge';
import type { EdgeLogEvent } from '../log';
import { clientsFor } from '../test-clients';
import { md5OfBody, md5OfMessageAttributes } from './md5';

describe('SQS over the JSON protocol (SDK v3)', () => {
  let edge: Edge;
  let sqs: SQSClient;
  const log: EdgeLogEvent[] = [];
  let counter = 0;

  async function queue(attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
    counter += 1;
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `q-${counter}`, Attributes: attributes }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
  }

  beforeAll(async () => {
    edge = await startEdge({ onEvent: (e) => log.push(e) });
    sqs = clientsFor(edge).sqs;
  });
  afterAll(() => edge.stop());

  it('creates a queue whose URL and ARN follow SQS conventions, idempotently', async () => {
    const first = await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
    const again = await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
    const byName = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: first.QueueUrl, AttributeNames: ['All'] }),
    );

    expect(first.QueueUrl).toBe(`${edge.endpoint}/000000000000/orders`);
    expect(again.QueueUrl).toBe(first.QueueUrl);
    expect(byName.QueueUrl).toBe(first.QueueUrl);
    expect(Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:${edge.region}:000000000000:orders`,
      VisibilityTimeout: '30',
      DelaySeconds: '0',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
  });

  it('rejects creating an existing queue with different attributes (QueueNameExists)', async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: 'fixed', Attributes: { VisibilityTimeout: '10' } }));
    const attempt = sqs.send(
      new CreateQueueCommand({ QueueName: 'fixed', Attributes: { VisibilityTimeout: '20' } }),
    );
    await expect(attempt).rejects.toMatchObject({
      name: 'QueueNameExists',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers QueueDoesNotExist for an unknown queue', async () => {
    const attempt = sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }));
    await expect(attempt).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
  });

  it('returns the MD5 digests of body and attributes that the SDK verifies', async () => {
    const { url } = await queue();
    const MessageAttributes = {
      kind: { DataType: 'String', StringValue: 'welcome' },
      attempt: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
    };
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'héllo', MessageAttributes }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }),
    );
    const message = received.Messages?.[0];

    expect(sent.MD5OfMessageBody).toBe(md5OfBody('héllo'));
    expect(sent.MD5OfMessageAttributes).toBe(
      md5OfMessageAttributes({
        kind: { DataType: 'String', StringValue: 'welcome' },
        attempt: { DataType: 'Number', StringValue: '3' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') },
      }),
    );
    expect(message).toEqual({
      MessageId: sent.MessageId,
      ReceiptHandle: expect.any(String),
      MD5OfBody: sent.MD5OfMessageBody,
      Body: 'héllo',
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'welcome' },
        attempt: { DataType: 'Number', StringValue: '3' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
      },
    });
  });

  it('computes the documented MD5 of message attributes (known digest)', () => {
    // digest of {a: String "b"}: md5 of 00000001 'a' 00000006 'String' 01 00000001 'b'
    expect(md5OfMessageAttributes({ a: { DataType: 'String', StringValue: 'b' } })).toBe(
      md5OfBody('\u0000\u0000\u0000\u0001a\u0000\u0000\u0000\u0006String\u0001\u0000\u0000\u0000\u0001b'),
    );
  });

  it('hides a received message for the visibility timeout and counts receives', async () => {
    const { url } = await queue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }));

    const first = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'] }),
    );
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const counts = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const second = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );

    expect(first.Messages?.[0]?.Attributes).toEqual({
      SenderId: '000000000000',
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
    });
    expect(hidden.Messages).toBeUndefined();
    expect(counts.Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    expect(second.Messages?.[0]?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
  });

  it('long-polls until a message arrives (WaitTimeSeconds)', async () => {
    const { url } = await queue();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' })), 50);
    const received = await polling;
    expect(received.Messages?.map((m) => m.Body)).toEqual(['late']);
  });

  it('keeps a delayed message invisible until its delay passes (DelaySeconds)', async () => {
    const { url } = await queue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));
    const immediately = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const delayed = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const afterDelay = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 3 }));

    expect(immediately.Messages).toBeUndefined();
    expect(delayed.Attributes).toEqual({ ApproximateNumberOfMessagesDelayed: '1' });
    expect(afterDelay.Messages?.map((m) => m.Body)).toEqual(['later']);
  });

  it('deletes messages by receipt handle, singly and in batches', async () => {
    const { url } = await queue();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    const [a, b, c] = received.Messages ?? [];
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a?.ReceiptHandle }));
    const batch = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'b', ReceiptHandle: b?.ReceiptHandle },
          { Id: 'c', ReceiptHandle: c?.ReceiptHandle },
        ],
      }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );

    expect(received.Messages?.map((m) => m.Body)).toEqual(['a', 'b', 'c']);
    expect(batch).toMatchObject({ Successful: [{ Id: 'b' }, { Id: 'c' }], Failed: [] });
    expect(Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it.each([
    ['an empty batch', [], 'EmptyBatchRequest'],
    [
      '11 entries',
      Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })),
      'TooManyEntriesInBatchRequest',
    ],
    [
      'repeated ids',
      [
        { Id: 'a', MessageBody: 'x' },
        { Id: 'a', MessageBody: 'y' },
      ],
      'BatchEntryIdsNotDistinct',
    ],
  ])('rejects SendMessageBatch with %s', async (_what, Entries, name) => {
    const { url } = await queue();
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }))).rejects.toMatchObject({
      name,
    });
  });

  it('rejects MaxNumberOfMessages above 10', async () => {
    const { url } = await queue();
    const attempt = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }));
    await expect(attempt).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
      message: expect.stringContaining('MaxNumberOfMessages'),
    });
  });

  it('refuses to change the visibility of a message that is not in flight (MessageNotInflight)', async () => {
    const { url } = await queue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
    const attempt = sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: received.Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 10,
      }),
    );
    await expect(attempt).rejects.toMatchObject({ name: 'MessageNotInflight' });
  });

  it('purges a queue', async () => {
    const { url } = await queue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
  });

  it('rejects a RedrivePolicy whose dead-letter queue does not exist', async () => {
    const attempt = sqs.send(
      new CreateQueueCommand({
        QueueName: 'orphan',
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:missing',
            maxReceiveCount: 3,
          }),
        },
      }),
    );
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidAttributeValue',
      message: expect.stringContaining('Dead letter target does not exist'),
    });
  });

  it('emulates the SQS redrive policy: moves a message to the DLQ once received maxReceiveCount times, then redrives it with StartMessageMoveTask', async () => {
    const dlq = await queue();
    const source = await queue();
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: source.url,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: '2' }) },
      }),
    );
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'poison' }));

    const receives: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: source.url,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      receives.push(r.Messages?.[0]?.Attributes?.ApproximateReceiveCount);
    }
    const dead = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'],
      }),
    );
    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
    const redriven = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: source.url,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );

    expect(receives).toEqual(['1', '2', undefined]);
    expect(dead.Messages?.[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'poison',
      Attributes: { DeadLetterQueueSourceArn: source.arn },
    });
    expect(tasks.Results).toEqual([
      expect.objectContaining({
        TaskHandle: task.TaskHandle,
        Status: 'COMPLETED',
        SourceArn: dlq.arn,
        ApproximateNumberOfMessagesMoved: 1,
        ApproximateNumberOfMessagesToMove: 1,
      }),
    ]);
    expect(redriven.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
      ['poison', '1'],
    ]);
    expect(log.filter((e) => e.kind === 'sqs.dlq').map((e) => e.details)).toEqual([
      expect.objectContaining({
        messageId: sent.MessageId,
        reason: 'received 2 times, maxReceiveCount is 2',
      }),
    ]);
  });

  it('answers the RedrivePolicy normalized: the DLQ by its own ARN, maxReceiveCount as a number', async () => {
    const dlq = await queue();
    const foreignSpelling = dlq.arn.replace(
      /^arn:aws:sqs:[^:]+:\d+:/,
      'arn:aws:sqs:ap-south-1:123456789012:',
    );
    const source = await queue({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: foreignSpelling, maxReceiveCount: '5' }),
    });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: source.url, AttributeNames: ['RedrivePolicy'] }),
    );
    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));

    expect(Attributes).toEqual({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
    });
    expect(task.TaskHandle).toEqual(expect.any(String));
  });

  it('refuses a move task from a queue that is no dead-letter queue', async () => {
    const plain = await queue();
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plain.arn }))).rejects.toMatchObject({
      message: 'Source queue must be configured as a Dead Letter Queue.',
    });
  });
});

describe('SQS long polling when the client goes away', () => {
  it('takes no message for a long poll whose client aborted', async () => {
    const edge = await startEdge();
    const sqs = clientsFor(edge).sqs;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'abandoned' }));
    const abort = new AbortController();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }), {
      abortSignal: abort.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    abort.abort();
    await expect(polling).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setTimeout(resolve, 50));

    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await edge.stop();

    expect(received.Messages?.map((m) => m.Body)).toEqual(['kept']);
  });
});

describe('SQS FIFO queues', () => {
  let edge: Edge;
  let sqs: SQSClient;
  let counter = 0;

  beforeAll(async () => {
    edge = await startEdge();
    sqs = clientsFor(edge).sqs;
  });
  afterAll(() => edge.stop());

  async function fifoQueue(attributes: Record<string, string> = {}): Promise<string> {
    counter += 1;
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `jobs-${counter}.fifo`,
        Attributes: { FifoQueue: 'true', ...attributes },
      }),
    );
    return QueueUrl as string;
  }

  it.each([
    ['a .fifo name without FifoQueue', 'plain.fifo', {}],
    ['FifoQueue without the .fifo suffix', 'plain', { FifoQueue: 'true' }],
  ])('rejects creating a queue with %s', async (_what, QueueName, Attributes) => {
    await expect(sqs.send(new CreateQueueCommand({ QueueName, Attributes }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('delivers a message group in order, holding the group while a message is in flight', async () => {
    const url = await fifoQueue({ ContentBasedDeduplication: 'true' });
    for (const [group, body] of [
      ['a', 'a1'],
      ['a', 'a2'],
      ['b', 'b1'],
    ] as const) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group }));
    }
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    const whileAInFlight = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    const afterDelete = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );

    expect(first.Messages?.map((m) => m.Body)).toEqual(['a1']);
    expect(whileAInFlight.Messages?.map((m) => m.Body)).toEqual(['b1']);
    expect(afterDelete.Messages?.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([['a2', 'a']]);
  });

  it('drops a duplicate within the deduplication interval, answering the original message id', async () => {
    const url = await fifoQueue();
    const send = (): Promise<{ MessageId?: string; SequenceNumber?: string }> =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'x',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'd1',
        }),
      );
    const original = await send();
    const duplicate = await send();
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));

    expect(duplicate).toMatchObject({
      MessageId: original.MessageId,
      SequenceNumber: original.SequenceNumber,
    });
    expect(original.SequenceNumber).toMatch(/^\d{20}$/);
    expect(received.Messages).toHaveLength(1);
  });

  it.each([
    ['no MessageGroupId', { MessageDeduplicationId: 'd' }, 'MissingParameter'],
    [
      'no deduplication id without ContentBasedDeduplication',
      { MessageGroupId: 'g' },
      'InvalidParameterValue',
    ],
    [
      'a per-message DelaySeconds',
      { MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 },
      'InvalidParameterValue',
    ],
  ])('rejects a FIFO message with %s', async (_what, parameters, name) => {
    const url = await fifoQueue();
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', ...parameters })),
    ).rejects.toMatchObject({ name });
  });
});
