import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  StartReplayCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
  type Target,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEdge, type Edge } from '../edge';
import type { EdgeLogEvent } from '../log';
import { clientsFor } from '../test-clients';

interface Invocation {
  readonly functionArn: string;
  readonly payload: unknown;
}

describe('EventBridge over the JSON protocol (SDK v3)', () => {
  let edge: Edge;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  const log: EdgeLogEvent[] = [];
  const invocations: Invocation[] = [];
  let failingAttempts = 0;
  let counter = 0;

  const FAILING_FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:always-fails';
  const OK_FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:ok';

  beforeAll(async () => {
    edge = await startEdge({
      onEvent: (e) => log.push(e),
      targetRetryDelayMs: () => 1,
      invokeLambda: async (functionArn, payload) => {
        invocations.push({ functionArn, payload });
        if (functionArn === FAILING_FUNCTION) {
          failingAttempts += 1;
          throw new Error('function is throttled');
        }
        return { StatusCode: 202 };
      },
    });
    ({ events, sqs } = clientsFor(edge));
  });
  afterAll(() => edge.stop());

  const name = (prefix: string): string => `${prefix}-${++counter}`;

  async function queue(): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name('q') }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
  }

  async function busWithRule(
    pattern: object,
    targets: Target[],
  ): Promise<{ bus: string; rule: string; ruleArn: string }> {
    const bus = name('bus');
    const rule = name('rule');
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const { RuleArn } = await events.send(
      new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
    );
    await events.send(new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: targets }));
    return { bus, rule, ruleArn: RuleArn as string };
  }

  async function drain(
    url: string,
  ): Promise<{ body: unknown; attributes: Record<string, string | undefined> }[]> {
    await edge.settle();
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    return (r.Messages ?? []).map((m) => ({
      body: JSON.parse(m.Body ?? 'null') as unknown,
      attributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
      ),
    }));
  }

  const entry = (bus: string, overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
    EventBusName: bus,
    Source: 'outboxed.test',
    DetailType: 'Thing',
    Detail: JSON.stringify({ metadata: { id: 'e1' } }),
    ...overrides,
  });

  it('rejects creating a bus that exists (ResourceAlreadyExistsException)', async () => {
    await events.send(new CreateEventBusCommand({ Name: 'twice' }));
    await expect(events.send(new CreateEventBusCommand({ Name: 'twice' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
      message: 'Event bus twice already exists.',
    });
  });

  it('describes, lists and deletes rules and targets', async () => {
    const q = await queue();
    const { bus, rule, ruleArn } = await busWithRule({ source: ['a'] }, [{ Id: 't1', Arn: q.arn }]);

    const described = await events.send(new DescribeRuleCommand({ Name: rule, EventBusName: bus }));
    const listed = await events.send(new ListRulesCommand({ EventBusName: bus }));
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: bus }));
    const refused = events.send(new DeleteRuleCommand({ Name: rule, EventBusName: bus }));
    await expect(refused).rejects.toMatchObject({ name: 'ValidationException' });
    const removed = await events.send(
      new RemoveTargetsCommand({ Rule: rule, EventBusName: bus, Ids: ['t1'] }),
    );
    await events.send(new DeleteRuleCommand({ Name: rule, EventBusName: bus }));
    const gone = events.send(new DescribeRuleCommand({ Name: rule, EventBusName: bus }));

    expect(ruleArn).toBe(`arn:aws:events:${edge.region}:000000000000:rule/${bus}/${rule}`);
    expect(described).toMatchObject({
      Name: rule,
      Arn: ruleArn,
      EventBusName: bus,
      State: 'ENABLED',
      EventPattern: '{"source":["a"]}',
    });
    expect(listed.Rules?.map((r) => r.Name)).toEqual([rule]);
    expect(targets.Targets).toEqual([{ Id: 't1', Arn: q.arn }]);
    expect(removed).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    await expect(gone).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Rule ${rule} does not exist on EventBus ${bus}.`,
    });
  });

  it('rejects a rule with an invalid pattern (InvalidEventPatternException)', async () => {
    const attempt = events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"a"}' }));
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringMatching(/^Event pattern is not valid\. Reason: /),
    });
  });

  it('rejects more than 10 entries in one PutEvents (ValidationException)', async () => {
    const attempt = events.send(
      new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry('default')) }),
    );
    await expect(attempt).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('less than or equal to 10'),
    });
  });

  it('enforces 256 KB per request with AWS entry-size formula (Time counts 14 bytes)', async () => {
    // Source (1) + DetailType (1) + Detail + Time (14) bytes
    const detailOfSize = (bytes: number): string => `{"p":"${'x'.repeat(bytes - 8)}"}`;
    const limit = 256 * 1024;
    const atLimit = { Source: 's', DetailType: 't', Time: new Date(), Detail: detailOfSize(limit - 16) };
    const overLimit = { ...atLimit, Detail: detailOfSize(limit - 15) };

    const accepted = await events.send(new PutEventsCommand({ Entries: [atLimit] }));
    const rejected = events.send(new PutEventsCommand({ Entries: [overLimit] }));

    expect(accepted.FailedEntryCount).toBe(0);
    await expect(rejected).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Total size of the entries in the request is over the limit'),
    });
  });

  it.each([
    [
      'a DetailType longer than 128 characters',
      { DetailType: 'x'.repeat(129) },
      "'entries.1.member.detailType'",
    ],
    ['a Source longer than 256 characters', { Source: 's'.repeat(257) }, "'entries.1.member.source'"],
  ])('rejects a request with %s (ValidationException)', async (_what, overrides, member) => {
    const attempt = events.send(new PutEventsCommand({ Entries: [entry('default', overrides)] }));
    await expect(attempt).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(member),
    });
  });

  it('reports per-entry errors and accepts the valid entries of the same request', async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          entry('default'),
          entry('default', { Source: undefined }),
          entry('default', { DetailType: undefined }),
          entry('default', { Detail: undefined }),
          entry('default', { Detail: '{not json' }),
          entry('default', { Detail: '[1,2]' }),
          entry('no-such-bus'),
        ],
      }),
    );

    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries).toEqual([
      { EventId: expect.any(String) },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus no-such-bus does not exist.' },
    ]);
  });

  it('applies a target InputPath', async () => {
    const q = await queue();
    const { bus } = await busWithRule({ source: ['outboxed.test'] }, [
      { Id: 'q', Arn: q.arn, InputPath: '$.detail' },
    ]);
    await events.send(new PutEventsCommand({ Entries: [entry(bus)] }));
    expect((await drain(q.url)).map((m) => m.body)).toEqual([{ metadata: { id: 'e1' } }]);
  });

  it('applies a target InputTransformer', async () => {
    const q = await queue();
    const { bus } = await busWithRule({ source: ['outboxed.test'] }, [
      {
        Id: 'q',
        Arn: q.arn,
        InputTransformer: {
          InputPathsMap: { id: '$.detail.metadata.id' },
          InputTemplate: '{"eventId": <id>, "text": "id <id>"}',
        },
      },
    ]);
    await events.send(new PutEventsCommand({ Entries: [entry(bus)] }));
    expect((await drain(q.url)).map((m) => m.body)).toEqual([{ eventId: 'e1', text: 'id e1' }]);
  });

  it('delivers to a FIFO queue target in the SqsParameters message group', async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: name('target') + '.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const { bus } = await busWithRule({ source: ['outboxed.test'] }, [
      { Id: 'q', Arn: Attributes?.QueueArn, SqsParameters: { MessageGroupId: 'users' } },
    ]);
    const put = await events.send(new PutEventsCommand({ Entries: [entry(bus)] }));
    await edge.settle();
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    expect(received.Messages?.map((m) => m.Attributes)).toEqual([
      { MessageGroupId: 'users', MessageDeduplicationId: put.Entries?.[0]?.EventId },
    ]);
  });

  it('invokes a Lambda target with the event through invokeLambda', async () => {
    const { bus } = await busWithRule({ source: ['outboxed.test'] }, [{ Id: 'fn', Arn: OK_FUNCTION }]);
    const put = await events.send(new PutEventsCommand({ Entries: [entry(bus)] }));
    await edge.settle();
    expect(invocations.filter((i) => i.functionArn === OK_FUNCTION)).toEqual([
      {
        functionArn: OK_FUNCTION,
        payload: expect.objectContaining({
          id: put.Entries?.[0]?.EventId,
          source: 'outboxed.test',
          detail: { metadata: { id: 'e1' } },
        }),
      },
    ]);
  });

  it("emulates a rule target's retry policy: retries a failing target MaximumRetryAttempts times, then sends the event to its DLQ with the reason", async () => {
    const dlq = await queue();
    const { bus, ruleArn } = await busWithRule({ source: ['outboxed.test'] }, [
      {
        Id: 'fn',
        Arn: FAILING_FUNCTION,
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
        DeadLetterConfig: { Arn: dlq.arn },
      },
    ]);
    failingAttempts = 0;
    const put = await events.send(new PutEventsCommand({ Entries: [entry(bus)] }));
    const dead = await drain(dlq.url);

    expect(failingAttempts).toBe(3);
    expect(dead).toEqual([
      {
        body: expect.objectContaining({ id: put.Entries?.[0]?.EventId, detail: { metadata: { id: 'e1' } } }),
        attributes: {
          RULE_ARN: ruleArn,
          TARGET_ARN: FAILING_FUNCTION,
          ERROR_CODE: 'ERROR_FROM_TARGET',
          ERROR_MESSAGE: 'function is throttled',
          RETRY_ATTEMPTS: '2',
          EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttemptsExhausted',
        },
      },
    ]);
    expect(log.filter((e) => e.details.targetArn === FAILING_FUNCTION).map((e) => e.kind)).toEqual([
      'events.matched',
      'events.retry',
      'events.retry',
      'events.dlq',
    ]);
  });

  it('sends an event whose SQS target queue does not exist straight to the DLQ, without retrying', async () => {
    const dlq = await queue();
    const missing = `arn:aws:sqs:${edge.region}:000000000000:deleted-queue`;
    const { bus } = await busWithRule({ source: ['outboxed.test'] }, [
      { Id: 'q', Arn: missing, DeadLetterConfig: { Arn: dlq.arn } },
    ]);
    await events.send(new PutEventsCommand({ Entries: [entry(bus)] }));
    expect((await drain(dlq.url)).map((m) => m.attributes)).toEqual([
      expect.objectContaining({ ERROR_CODE: 'NO_RESOURCE', RETRY_ATTEMPTS: '0' }),
    ]);
  });

  it('emulates EventBridge delivery to an SQS target: the events of one aggregate arrive in PutEvents order', async () => {
    const q = await queue();
    const { bus } = await busWithRule({ source: ['outboxed.test'] }, [{ Id: 'q', Arn: q.arn }]);
    const sequences = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    await events.send(
      new PutEventsCommand({
        Entries: sequences.map((sequence) =>
          entry(bus, { Detail: JSON.stringify({ metadata: { aggregateId: 'u1', sequence } }) }),
        ),
      }),
    );
    const delivered = (await drain(q.url)).map(
      (m) => (m.body as { detail: { metadata: { sequence: number } } }).detail.metadata.sequence,
    );
    expect(delivered).toEqual(sequences);
  });

  it('logs each entry, match and delivery of one event in order', async () => {
    const q = await queue();
    const { bus, rule } = await busWithRule({ source: ['outboxed.test'] }, [{ Id: 'q', Arn: q.arn }]);
    const put = await events.send(new PutEventsCommand({ Entries: [entry(bus)] }));
    await edge.settle();
    const eventId = put.Entries?.[0]?.EventId;
    expect(log.filter((e) => e.details.eventId === eventId).map((e) => [e.kind, e.message])).toEqual([
      ['events.put', `PutEvents entry 0: event ${eventId} outboxed.test/Thing on bus ${bus}`],
      ['events.matched', `event ${eventId} matched rule ${rule} -> target q (${q.arn})`],
      ['events.delivered', `event ${eventId} delivered to ${q.arn}`],
    ]);
  });

  it('archives the events matching the archive pattern and replays them to the rules with replay-name', async () => {
    const q = await queue();
    const { bus } = await busWithRule({ source: ['outboxed.test'] }, [{ Id: 'q', Arn: q.arn }]);
    const busArn = `arn:aws:events:${edge.region}:000000000000:event-bus/${bus}`;
    const { ArchiveArn } = await events.send(
      new CreateArchiveCommand({
        ArchiveName: name('archive'),
        EventSourceArn: busArn,
        EventPattern: JSON.stringify({ 'detail-type': ['Thing'] }),
      }),
    );
    const start = new Date(Date.now() - 1000);
    const put = await events.send(
      new PutEventsCommand({ Entries: [entry(bus), entry(bus, { DetailType: 'Other' })] }),
    );
    await drain(q.url);
    const archive = await events.send(
      new DescribeArchiveCommand({ ArchiveName: ArchiveArn?.split('/').pop() }),
    );

    const replayName = name('replay');
    await events.send(
      new StartReplayCommand({
        ReplayName: replayName,
        EventSourceArn: ArchiveArn,
        EventStartTime: start,
        EventEndTime: new Date(Date.now() + 1000),
        Destination: { Arn: busArn },
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const replayed = await drain(q.url);
    const replay = await events.send(new DescribeReplayCommand({ ReplayName: replayName }));

    expect(archive.EventCount).toBe(1);
    expect(replayed.map((m) => m.body)).toEqual([
      expect.objectContaining({ id: put.Entries?.[0]?.EventId, 'replay-name': replayName }),
    ]);
    expect(replay.State).toBe('COMPLETED');
  });
});

describe('EventBridge on stop', () => {
  it('abandons pending target retries when the edge stops', async () => {
    let attempts = 0;
    const edge = await startEdge({
      targetRetryDelayMs: () => 60_000,
      invokeLambda: async () => {
        attempts += 1;
        throw new Error('down');
      },
    });
    const { events } = clientsFor(edge);
    await events.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["s"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'r',
        Targets: [{ Id: 'fn', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' }],
      }),
    );
    await events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't', Detail: '{}' }] }));

    await edge.stop();
    await edge.settle();

    expect(attempts).toBe(1);
  });
});

describe('EventBridge target retry policy by event age', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("emulates a rule target's maximum event age: stops retrying once the event is older than MaximumEventAgeInSeconds and sends it to the DLQ", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let attempts = 0;
    const edge = await startEdge({
      targetRetryDelayMs: () => 1,
      invokeLambda: async () => {
        attempts += 1;
        vi.setSystemTime(Date.now() + 25_000); // each failed attempt takes 25 s of the event's age
        throw new Error('function timed out');
      },
    });
    const { events, sqs } = clientsFor(edge);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'age-dlq' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await events.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["s"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'r',
        Targets: [
          {
            Id: 'fn',
            Arn: 'arn:aws:lambda:us-east-1:000000000000:function:slow',
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 },
            DeadLetterConfig: { Arn: Attributes?.QueueArn },
          },
        ],
      }),
    );
    await events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't', Detail: '{}' }] }));
    await edge.settle();
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'] }));
    await edge.stop();

    expect(attempts).toBe(3);
    expect(dead.Messages?.[0]?.MessageAttributes).toMatchObject({
      EXHAUSTED_RETRY_CONDITION: { StringValue: 'MaximumEventAgeExhausted' },
      RETRY_ATTEMPTS: { StringValue: '2' },
    });
  });
});
