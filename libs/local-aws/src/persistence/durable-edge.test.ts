import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEdge, type Edge, type StartEdgeOptions } from '../edge';
import type { EdgeLogEvent } from '../log';
import { clientsFor } from '../test-clients';
import { Journal, JournalCorruptError } from './journal';

let dataDir: string;
let edge: Edge | undefined;
const log: EdgeLogEvent[] = [];

const start = async (options: StartEdgeOptions = {}) => {
  edge = await startEdge({ dataDir, onEvent: (e) => log.push(e), ...options });
  return { edge, ...clientsFor(edge) };
};

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-aws-durable-'));
  log.length = 0;
});
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a durable edge (with a dataDir)', () => {
  it('local durability of the edge (guarantee 8 end to end is tests/chaos): keeps queued messages, receive counts and in-flight visibility across a restart', async () => {
    const started = await start();
    const first = started.edge;
    let sqs = started.sqs;
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '600' } }),
    );
    for (const body of ['a', 'b', 'c'])
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    const [taken] = received.Messages ?? [];
    const deleted = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl, ReceiptHandle: deleted.Messages?.[0]?.ReceiptHandle }),
    );
    await first.stop();
    sqs.destroy();

    ({ sqs } = await start());
    await sqs.send(new CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '600' } }));
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
    );

    expect(attributes.Attributes).toEqual({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    expect(again.Messages?.map((m) => m.Body)).toEqual(['c']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: taken?.ReceiptHandle }));
    const afterOldHandle = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(afterOldHandle.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
    sqs.destroy();
  });

  it('local durability of the edge (guarantee 8 end to end is tests/chaos): keeps what it acknowledged when the process dies without stop(): each change is journaled before the answer', async () => {
    const { sqs } = await start();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'crashy' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    sqs.destroy();
    // no stop(): what a SIGKILL leaves is the journal as written so far, plus a torn line from an interrupted write
    appendFileSync(join(dataDir, 'edge', 'sqs.jsonl'), '{"op":"message","queue":"crashy","mess');

    const second = await startEdge({ dataDir, port: 0 });
    const sqs2 = clientsFor(second).sqs;
    const out = await sqs2.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));

    expect(out.Messages?.map((m) => m.Body)).toEqual(['kept']);
    sqs2.destroy();
    await second.stop();
  });

  it('takes the template attributes of a restored queue at its first CreateQueue after the restart', async () => {
    const started = await start();
    const first = started.edge;
    let sqs = started.sqs;
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'changed', Attributes: { VisibilityTimeout: '30' } }),
    );
    await first.stop();
    sqs.destroy();

    ({ sqs } = await start());
    await sqs.send(new CreateQueueCommand({ QueueName: 'changed', Attributes: { VisibilityTimeout: '5' } }));
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }),
    );

    expect(out.Attributes?.VisibilityTimeout).toBe('5');
    sqs.destroy();
  });

  it('local durability of the edge (guarantee 8 end to end is tests/chaos): resumes a target retry that was pending at the stop once the target is declared again, and keeps the archive', async () => {
    const lambdaArn = 'arn:aws:lambda:us-east-1:000000000000:function:consumer';
    const busArn = 'arn:aws:events:us-east-1:000000000000:event-bus/bus';
    const declare = async (events: ReturnType<typeof clientsFor>['events']) => {
      await events.send(new CreateEventBusCommand({ Name: 'bus' }));
      await events.send(new CreateArchiveCommand({ ArchiveName: 'everything', EventSourceArn: busArn }));
      await events.send(
        new PutRuleCommand({
          Name: 'all',
          EventBusName: 'bus',
          EventPattern: JSON.stringify({ source: ['demo'] }),
        }),
      );
      await events.send(
        new PutTargetsCommand({ Rule: 'all', EventBusName: 'bus', Targets: [{ Id: 'fn', Arn: lambdaArn }] }),
      );
    };
    const started = await start({
      targetRetryDelayMs: () => 60_000,
      invokeLambda: () => Promise.reject(new Error('throttled')),
    });
    const first = started.edge;
    let events = started.events;
    await declare(events);
    const put = await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'bus', Source: 'demo', DetailType: 'D', Detail: '{}' }],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    await expect.poll(() => log.filter((e) => e.kind === 'events.retry').length).toBe(1);
    await first.stop();
    events.destroy();

    const invoked: { id: string }[] = [];
    ({ events } = await start({
      targetRetryDelayMs: () => 10,
      invokeLambda: async (_arn, payload) => void invoked.push(payload as { id: string }),
    }));
    await declare(events);
    await edge?.settle();
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: 'everything' }));

    expect(invoked.map((e) => e.id)).toEqual([put.Entries?.[0]?.EventId]);
    expect(log.filter((e) => e.kind === 'events.resumed')).toHaveLength(1);
    expect(archive.EventCount).toBe(1);
    events.destroy();
  });
});

describe('Journal', () => {
  it('rejects a corrupt line that is not the last, naming the file and the line', () => {
    const path = join(dataDir, 'bad.jsonl');
    appendFileSync(path, '{"op":"a"}\nnot json\n{"op":"b"}\n');

    expect(() => new Journal(path).read()).toThrow(JournalCorruptError);
    expect(() => new Journal(path).read()).toThrow(/line 2/);
  });
});
