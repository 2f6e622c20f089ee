import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from './edge';
import { EdgeStartError } from './errors';
import type { EdgeLogEvent } from './log';
import { clientsFor } from './test-clients';

describe('startEdge', () => {
  let edge: Edge;
  let clients: ReturnType<typeof clientsFor>;
  const log: EdgeLogEvent[] = [];

  beforeAll(async () => {
    edge = await startEdge({ onEvent: (e) => log.push(e) });
    clients = clientsFor(edge);
  });
  afterAll(() => edge.stop());

  it('delivers an event put on a custom bus to the SQS target of the matching rule', async () => {
    const { events, sqs } = clients;
    await events.send(new CreateEventBusCommand({ Name: 'orders' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-q' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await events.send(
      new PutRuleCommand({
        Name: 'placed',
        EventBusName: 'orders',
        EventPattern: JSON.stringify({ 'detail-type': ['OrderPlaced'] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'placed',
        EventBusName: 'orders',
        Targets: [{ Id: 'q', Arn: Attributes?.QueueArn }],
      }),
    );

    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'orders', Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"orderId":"1"}' },
          { EventBusName: 'orders', Source: 'shop', DetailType: 'OrderShipped', Detail: '{"orderId":"1"}' },
        ],
      }),
    );
    await edge.settle();
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );

    expect(put.FailedEntryCount).toBe(0);
    expect(received.Messages).toHaveLength(1);
    const event = JSON.parse(received.Messages?.[0]?.Body ?? '{}') as Record<string, unknown>;
    expect(event).toEqual({
      version: '0',
      id: put.Entries?.[0]?.EventId,
      'detail-type': 'OrderPlaced',
      source: 'shop',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: edge.region,
      resources: [],
      detail: { orderId: '1' },
    });
    expect(log.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['events.put', 'events.matched', 'events.delivered']),
    );
  });

  it('rejects a port that is taken with EdgeStartError saying what to do', async () => {
    const attempt = startEdge({ port: edge.port });
    await expect(attempt).rejects.toThrow(EdgeStartError);
    await expect(attempt).rejects.toThrow(
      `port ${edge.port} on 127.0.0.1 is taken: pass another \`port\`, or 0 for a free one.`,
    );
  });

  it('answers an unknown route in AWS error shape', async () => {
    const response = await fetch(`${edge.endpoint}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'The local edge has no route for GET /nowhere.',
      Message: 'The local edge has no route for GET /nowhere.',
    });
  });
});
