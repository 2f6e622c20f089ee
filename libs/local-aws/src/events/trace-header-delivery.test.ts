import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from '../edge';
import { clientsFor } from '../test-clients';

const TRACE = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';

describe('X-Ray trace header: PutEvents TraceHeader → SQS target AWSTraceHeader', () => {
  let edge: Edge;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let counter = 0;

  beforeAll(async () => {
    edge = await startEdge({ targetRetryDelayMs: () => 1 });
    ({ events, sqs } = clientsFor(edge));
  });
  afterAll(() => edge.stop());

  async function queue(): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `trace-q-${++counter}` }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
  }

  /** A bus whose one rule sends every `test` event to `targetArn` (and its DLQ, if given). */
  async function busTo(targetArn: string, dlqArn?: string): Promise<string> {
    const bus = `trace-bus-${++counter}`;
    await events.send(new CreateEventBusCommand({ Name: bus }));
    await events.send(
      new PutRuleCommand({
        Name: 'all',
        EventBusName: bus,
        EventPattern: JSON.stringify({ source: ['test'] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'all',
        EventBusName: bus,
        Targets: [
          {
            Id: 't',
            Arn: targetArn,
            ...(dlqArn
              ? { DeadLetterConfig: { Arn: dlqArn }, RetryPolicy: { MaximumRetryAttempts: 0 } }
              : {}),
          },
        ],
      }),
    );
    return bus;
  }

  async function put(bus: string, traceHeader?: string): Promise<void> {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus,
            Source: 'test',
            DetailType: 'Traced',
            Detail: '{"n":1}',
            ...(traceHeader === undefined ? {} : { TraceHeader: traceHeader }),
          },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
  }

  async function receiveOne(url: string) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(1);
    return Messages?.[0];
  }

  it('hands the entry’s TraceHeader to the queue as AWSTraceHeader, not in the event', async () => {
    const target = await queue();
    const bus = await busTo(target.arn);

    await put(bus, TRACE);
    const message = await receiveOne(target.url);

    expect(message?.Attributes?.AWSTraceHeader).toBe(TRACE);
    expect(message?.Body).not.toContain('67891233');
  });

  it.each([
    ['without a TraceHeader', undefined],
    ['with a TraceHeader that is not an X-Ray header (dropped, the event still delivered)', 'not-a-trace'],
  ])('delivers an event %s with no AWSTraceHeader', async (_case, traceHeader) => {
    const target = await queue();
    const bus = await busTo(target.arn);

    await put(bus, traceHeader);
    const message = await receiveOne(target.url);

    expect(message?.Attributes).not.toHaveProperty('AWSTraceHeader');
  });

  it('sends the trace header with the event to the rule’s DLQ when the target fails', async () => {
    const dlq = await queue();
    const bus = await busTo(`arn:aws:sqs:${edge.region}:000000000000:no-such-queue`, dlq.arn);

    await put(bus, TRACE);
    const message = await receiveOne(dlq.url);

    expect(message?.Attributes?.AWSTraceHeader).toBe(TRACE);
  });

  it('keeps the AWSTraceHeader system attribute of a SendMessage', async () => {
    const target = await queue();

    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: target.url,
        MessageBody: 'hello',
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE } },
      }),
    );
    const message = await receiveOne(target.url);

    expect(message?.Attributes?.AWSTraceHeader).toBe(TRACE);
    expect(sent.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
  });

  it('rejects a SendMessage whose AWSTraceHeader is not an X-Ray trace header, naming the format', async () => {
    const target = await queue();

    await expect(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: target.url,
          MessageBody: 'hello',
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'abc' } },
        }),
      ),
    ).rejects.toThrow(/AWSTraceHeader must be a String holding an X-Ray trace header \(Root=1-/);
  });
});
