import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConsoleJournal } from './journal';

// Factories for the lines the runtime and the functions really emit (shapes copied from a live run).
const EVENT_ID = '01M90RER4J2PJ5Z6QWXVY5R7AE';
const USER_ID = '01M90RER470ZYM4NSYEBZV0TK6';
const CORRELATION_ID = 'corr-1';
const BUS_EVENT_ID = '94781ea2-4aa1-4bec-813e-aa4ff97f58b2';
const API = 'UsersService-ApiFunction6BF808ED-SND1WHYU3LBV';
const EMAIL = 'EmailConsumer-WelcomeEmailConsumerFunctionD1A638BA-X7F75IIXCPWC';
const EMAIL_QUEUE_ARN =
  'arn:aws:sqs:us-east-1:000000000000:EmailConsumer-WelcomeEmailConsumerQueueAAD43395-WLZT0P945MWJ';

const powertools = (message: string, fields: Record<string, unknown>) =>
  JSON.stringify({ level: 'INFO', message, timestamp: '2026-12-04T14:48:41.141Z', service: 's', ...fields });

function ingestCreatedUser(
  journal: ConsoleJournal,
  ids = { eventId: EVENT_ID, userId: USER_ID, correlationId: CORRELATION_ID, busEventId: BUS_EVENT_ID },
) {
  journal.functionLine(
    API,
    powertools('user created', {
      function_request_id: `r-${ids.eventId}`,
      correlationId: ids.correlationId,
      userId: ids.userId,
      eventId: ids.eventId,
      idempotent: false,
    }),
  );
  journal.functionLine(
    API,
    powertools('request completed', {
      function_request_id: `r-${ids.eventId}`,
      correlationId: ids.correlationId,
      route: 'POST /users',
      statusCode: 201,
    }),
  );
  journal.runtimeLog({
    kind: 'stream.delivered',
    message: 'UsersTable stream → OutboxRelayFunction: 1 record(s) handled (INSERT×1)',
    details: {
      function: 'arn:aws:lambda:us-east-1:000000000000:function:Relay',
      records: 1,
      keys: `USER#${ids.userId}|OUTBOX#${ids.eventId}`,
    },
  });
  journal.runtimeLog({
    kind: 'events.put',
    message: 'PutEvents entry 0',
    details: {
      eventId: ids.busEventId,
      detailId: ids.eventId,
      source: 'outboxed.users',
      detailType: 'UserCreated',
      bus: 'Bus',
    },
  });
  journal.runtimeLog({
    kind: 'events.delivered',
    message: 'delivered',
    details: {
      eventId: ids.busEventId,
      detailId: ids.eventId,
      rule: 'EmailRule',
      targetId: 'Target0',
      targetArn: EMAIL_QUEUE_ARN,
      retries: 0,
    },
  });
}

describe('ConsoleJournal', () => {
  it('builds one timeline from the request to the consumer, found by user, event, correlation and bus event id', () => {
    // one clock tick: the steps' own order decides
    const journal = new ConsoleJournal({ now: () => 1_000 });
    ingestCreatedUser(journal);
    journal.functionLine(
      EMAIL,
      powertools('Event processed', {
        messageId: 'm-1',
        eventId: EVENT_ID,
        correlationId: CORRELATION_ID,
        detailType: 'UserCreated',
        writtenVersion: 2,
        readAs: 1,
      }),
    );

    for (const query of [USER_ID, EVENT_ID, CORRELATION_ID, BUS_EVENT_ID, 'm-1'])
      expect(journal.search(query)).toEqual([EVENT_ID]);
    const trace = journal.trace(EVENT_ID);
    expect(trace?.entries.map((e) => `${e.step}:${e.outcome ?? ''}`)).toEqual([
      'http:ok',
      'transaction:ok',
      'stream:',
      'put-events:ok',
      'delivery:ok',
      'consumer:applied',
    ]);
    expect(trace?.summary).toMatchObject({
      userId: USER_ID,
      correlationId: CORRELATION_ID,
      detailType: 'UserCreated',
      status: 'consumed',
      consumers: { WelcomeEmailConsumerFunction: 'applied' },
    });
  });

  it('links a DLQ move and a redrive logged by message id only to the event the consumer named for that message', () => {
    const journal = new ConsoleJournal();
    ingestCreatedUser(journal);
    journal.functionLine(
      EMAIL,
      powertools('Event failed: reported for retry', {
        messageId: 'm-1',
        eventId: EVENT_ID,
        error: 'InternalFailure',
      }),
    );
    journal.runtimeLog({
      kind: 'sqs.dlq',
      message: 'moved',
      details: {
        messageId: 'm-1',
        queue: 'q',
        deadLetterQueue: 'dlq',
        reason: 'received 2 times, maxReceiveCount is 2',
      },
    });
    expect(journal.trace(EVENT_ID)?.summary.status).toBe('dead-lettered');
    journal.runtimeLog({
      kind: 'sqs.moved',
      message: 'moved',
      details: { messageId: 'm-1', from: 'dlq', to: 'q' },
    });

    const steps = journal.trace(EVENT_ID)?.entries.map((e) => `${e.step}:${e.outcome ?? ''}`);
    expect(steps?.slice(-3)).toEqual(['consumer:failed', 'dead-letter:dead-lettered', 'redrive:redriven']);
    expect(journal.trace(EVENT_ID)?.summary.status).toBe('redriven');
    expect(journal.deadLetterReason('m-1')).toBe('received 2 times, maxReceiveCount is 2');
  });

  it('attaches a DLQ move logged before the consumer named the event, once it does', () => {
    const journal = new ConsoleJournal();
    ingestCreatedUser(journal);
    journal.runtimeLog({
      kind: 'sqs.dlq',
      message: 'moved',
      details: { messageId: 'm-9', deadLetterQueue: 'dlq', reason: 'r' },
    });
    expect(journal.trace(EVENT_ID)?.entries.some((e) => e.step === 'dead-letter')).toBe(false);

    journal.functionLine(
      EMAIL,
      powertools('Event failed: reported for retry', { messageId: 'm-9', eventId: EVENT_ID }),
    );

    expect(journal.trace(EVENT_ID)?.entries.some((e) => e.step === 'dead-letter')).toBe(true);
  });

  it('recognises a duplicate logged by its Powertools idempotency key only', () => {
    const journal = new ConsoleJournal();
    ingestCreatedUser(journal);
    const hash = createHash('md5').update(JSON.stringify(EVENT_ID)).digest('hex');

    journal.functionLine(
      EMAIL,
      powertools('Event already applied: returned the stored result', {
        idempotencyKey: `email-consumer#${hash}`,
      }),
    );

    expect(journal.trace(EVENT_ID)?.entries.at(-1)).toMatchObject({ step: 'consumer', outcome: 'duplicate' });
  });

  it('places the stream record, logged when the relay returns, before the PutEvents the relay made', () => {
    let now = 1_000;
    const journal = new ConsoleJournal({ now: () => (now += 10) });
    journal.runtimeLog({
      kind: 'events.put',
      message: 'put',
      details: { eventId: BUS_EVENT_ID, detailId: EVENT_ID, bus: 'Bus' },
    });
    journal.runtimeLog({
      kind: 'stream.delivered',
      message: 'stream',
      details: { function: 'relay', records: 1, keys: `USER#${USER_ID}|OUTBOX#${EVENT_ID}` },
    });

    expect(journal.trace(EVENT_ID)?.entries.map((e) => e.step)).toEqual(['stream', 'put-events']);
  });

  it('counts the flow and ages the events delivered to a queue until its consumer takes them', () => {
    let now = 1_000;
    const journal = new ConsoleJournal({ now: () => now });
    journal.setFunctionQueues(new Map([[EMAIL, EMAIL_QUEUE_ARN]]));
    ingestCreatedUser(journal);
    expect(journal.flowCounters().queues.get(EMAIL_QUEUE_ARN)).toEqual({ count: 1, oldest: 1_000 });
    now = 5_000;

    journal.functionLine(
      EMAIL,
      powertools('Event processed', {
        messageId: 'm-1',
        eventId: EVENT_ID,
        readAs: 1,
        writtenVersion: 2,
        detailType: 'UserCreated',
      }),
    );

    const { counters, queues } = journal.flowCounters();
    expect(queues.get(EMAIL_QUEUE_ARN)).toEqual({ count: 0 });
    expect(Object.fromEntries(counters)).toMatchObject({
      [`put:Bus`]: 1,
      [`deliver:${EMAIL_QUEUE_ARN}`]: 1,
      [`consumer:${EMAIL}:applied`]: 1,
      [`http:${API}`]: 1,
    });
    expect(journal.readers()).toEqual([
      {
        consumer: 'WelcomeEmailConsumerFunction',
        detailType: 'UserCreated',
        readsAs: 1,
        source: "observed in the consumer's logs",
        seen: { v2: 1 },
      },
    ]);
  });

  it('pages traces newest first and keeps no personal data from a log line', () => {
    const journal = new ConsoleJournal();
    for (let i = 0; i < 120; i++)
      ingestCreatedUser(journal, {
        eventId: `e${i}`,
        userId: `u${i}`,
        correlationId: `c${i}`,
        busEventId: `b${i}`,
      });
    journal.functionLine(
      API,
      powertools('user created', { eventId: 'e0', email: 'ada@example.com', name: 'Ada' }),
    );

    const first = journal.traces({ page: 0, pageSize: 50 });
    const last = journal.traces({ page: 2, pageSize: 50 });
    expect(first.total).toBe(120);
    expect(first.items.map((t) => t.eventId).slice(0, 2)).toEqual(['e119', 'e118']);
    expect(last.items.map((t) => t.eventId)).toEqual(Array.from({ length: 20 }, (_, i) => `e${19 - i}`));
    expect(JSON.stringify(journal.trace('e0'))).not.toMatch(/ada@example\.com|"Ada"/);
  });

  it('drops the oldest half at maxEntries and forgets traces left without entries', () => {
    const journal = new ConsoleJournal({ maxEntries: 50 });
    for (let i = 0; i < 20; i++)
      ingestCreatedUser(journal, {
        eventId: `e${i}`,
        userId: `u${i}`,
        correlationId: `c${i}`,
        busEventId: `b${i}`,
      });

    expect(journal.trace('e0')).toBeUndefined();
    expect(journal.search('u0')).toEqual([]);
    expect(journal.trace('e19')?.entries).toHaveLength(5);
  });
});
