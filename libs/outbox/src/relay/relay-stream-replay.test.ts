// Replays how a DynamoDB stream event source mapping drives the relay: batches from the checkpoint, each
// invocation resumed at the SequenceNumber it reported (Lambda keeps the lowest one), against an EventBridge and
// an SQS that fail at random. Fixed seeds, many runs.
import { seededRandom } from '@outboxed/cdk-common/testing';
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anInsertRecord,
  anOutboxItem,
  fakeContracts,
  recordingLogger,
  recordingMetrics,
  seq,
} from '../testing/factories';
import { createRelayHandler } from './relay-handler';

interface Scenario {
  readonly aggregates: readonly number[]; // aggregate of each record, in commit order
  readonly poison: readonly boolean[]; // whether each record fails its contract
  readonly failureRate: number; // per-entry PutEvents failure probability
  readonly requestFailureRate: number; // whole-request failure probability
  readonly dlqFailureRate: number;
  readonly batchSize: number;
  readonly remainingMs: number;
  readonly seed: number;
}

type LogLine =
  | { readonly op: 'send'; readonly id: string }
  | { readonly op: 'accepted'; readonly id: string }
  | { readonly op: 'failed'; readonly id: string }
  | { readonly op: 'dead-lettered'; readonly id: string; readonly reason: string };

interface Outcome {
  readonly log: readonly LogLine[];
  readonly records: readonly { readonly id: string; readonly aggregate: string; readonly poison: boolean }[];
  readonly checkpoint: number;
  readonly invocations: number;
}

const scenarios: fc.Arbitrary<Scenario> = fc
  .record({
    n: fc.integer({ min: 1, max: 60 }),
    aggregateCount: fc.integer({ min: 1, max: 8 }),
    poisonRate: fc.constantFrom(0, 0, 0.1, 0.3),
    failureRate: fc.constantFrom(0, 0.1, 0.3, 0.5),
    requestFailureRate: fc.constantFrom(0, 0.1, 0.2),
    dlqFailureRate: fc.constantFrom(0, 0.2, 0.5),
    batchSize: fc.integer({ min: 1, max: 100 }),
    remainingMs: fc.integer({ min: 600, max: 30_000 }),
    seed: fc.integer(),
  })
  .chain((p) =>
    fc.record({
      aggregates: fc.array(fc.integer({ min: 0, max: p.aggregateCount - 1 }), {
        minLength: p.n,
        maxLength: p.n,
      }),
      poison: fc
        .array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: p.n, maxLength: p.n })
        .map((xs) => xs.map((x) => x < p.poisonRate)),
      failureRate: fc.constant(p.failureRate),
      requestFailureRate: fc.constant(p.requestFailureRate),
      dlqFailureRate: fc.constant(p.dlqFailureRate),
      batchSize: fc.constant(p.batchSize),
      remainingMs: fc.constant(p.remainingMs),
      seed: fc.constant(p.seed),
    }),
  );

async function replay(scenario: Scenario): Promise<Outcome> {
  const random = seededRandom(scenario.seed);
  let time = Date.parse('2026-11-29T12:00:00.000Z');
  const log: LogLine[] = [];
  const nextSequence = new Map<number, number>();
  const records = scenario.aggregates.map((aggregate, i) => {
    const sequence = (nextSequence.get(aggregate) ?? 0) + 1;
    nextSequence.set(aggregate, sequence);
    const poison = scenario.poison[i] ?? false;
    const item = anOutboxItem({
      aggregateId: `A${aggregate}`,
      sequence,
      ...(poison ? { payload: { userId: `A${aggregate}` } } : {}),
    });
    return { id: item.eventId, aggregate: `A${aggregate}`, poison, record: anInsertRecord(item, seq(i + 1)) };
  });

  const eventBridge = {
    send: async (command: PutEventsCommand) => {
      time += 10; // each request takes 10 ms of the budget
      const ids = (command.input.Entries ?? []).map(
        (e) => (JSON.parse(e.Detail ?? '{}') as { metadata: { id: string } }).metadata.id,
      );
      for (const id of ids) log.push({ op: 'send', id });
      if (random() < scenario.requestFailureRate) {
        for (const id of ids) log.push({ op: 'failed', id });
        throw Object.assign(new Error('service unavailable'), {
          name: 'ServiceUnavailable',
          $metadata: { httpStatusCode: 503 },
        });
      }
      const entries = ids.map((id) => {
        if (random() < scenario.failureRate) {
          log.push({ op: 'failed', id });
          return { ErrorCode: random() < 0.5 ? 'ThrottlingException' : 'InternalFailure', ErrorMessage: 'x' };
        }
        log.push({ op: 'accepted', id });
        return { EventId: `eb-${id}` };
      });
      return {
        FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length,
        Entries: entries,
        $metadata: {},
      };
    },
  } as unknown as Pick<EventBridgeClient, 'send'>;
  const sqs = {
    send: async (command: SendMessageCommand) => {
      time += 5;
      if (random() < scenario.dlqFailureRate)
        throw Object.assign(new Error('queue down'), { name: 'InternalError' });
      const attributes = command.input.MessageAttributes ?? {};
      log.push({
        op: 'dead-lettered',
        id: attributes.eventId?.StringValue ?? '',
        reason: attributes.reason?.StringValue ?? '',
      });
      return { MessageId: 'm' };
    },
  } as unknown as Pick<SQSClient, 'send'>;

  const handler = createRelayHandler(
    {
      contracts: fakeContracts,
      eventBusName: 'users-events',
      poisonQueueUrl: 'https://sqs.local/poison',
      timeBudgetMarginMs: 300,
      baseDelayMs: 20,
      maxDelayMs: 400,
      maxAttempts: 4,
      concurrency: 4,
    },
    {
      eventBridge,
      sqs,
      logger: recordingLogger(),
      metrics: recordingMetrics(),
      now: () => time,
      sleep: async (ms) => {
        time += ms;
      },
      random,
      env: {},
    },
  );

  let checkpoint = 0;
  let invocations = 0;
  while (checkpoint < records.length && invocations < 5_000) {
    invocations += 1;
    const batch: DynamoDBRecord[] = records
      .slice(checkpoint, checkpoint + scenario.batchSize)
      .map((r) => r.record);
    const response = await handler(
      { Records: batch },
      { getRemainingTimeInMillis: () => scenario.remainingMs },
    );
    if (response.batchItemFailures.length === 0) {
      checkpoint += batch.length;
    } else {
      const lowest = response.batchItemFailures.map((f) => f.itemIdentifier).sort()[0];
      const resumeAt = records.findIndex((r) => r.record.dynamodb?.SequenceNumber === lowest);
      expect(resumeAt).toBeGreaterThanOrEqual(checkpoint);
      checkpoint = resumeAt;
    }
  }
  return { log, records, checkpoint, invocations };
}

const RUNS = { seed: 20_261_129, numRuns: 150 };

describe('relay driven by a stream event source mapping (randomized replay)', () => {
  it('guarantee 2: publishes every committed outbox record at least once and loses none', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { log, records, checkpoint } = await replay(scenario);

        expect(checkpoint).toBe(records.length);
        const accepted = new Set(log.filter((l) => l.op === 'accepted').map((l) => l.id));
        const deadLettered = new Set(log.filter((l) => l.op === 'dead-lettered').map((l) => l.id));
        const lost = records.filter((r) => !(r.poison ? deadLettered.has(r.id) : accepted.has(r.id)));
        expect(lost).toEqual([]);
      }),
      RUNS,
    );
  });

  it('guarantee 4: publishes each aggregate’s events in commit order (first acceptances)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { log, records } = await replay(scenario);

        const firstAccepted: string[] = [];
        for (const line of log) {
          if (line.op === 'accepted' && !firstAccepted.includes(line.id)) firstAccepted.push(line.id);
        }
        for (const aggregate of new Set(records.map((r) => r.aggregate))) {
          const committed = records.filter((r) => r.aggregate === aggregate && !r.poison).map((r) => r.id);
          expect(firstAccepted.filter((id) => committed.includes(id))).toEqual(committed);
        }
      }),
      RUNS,
    );
  });

  it('guarantee 4: after an aggregate’s event fails, sends no later event of it before the failed one is accepted', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { log, records } = await replay(scenario);

        const position = new Map(records.map((r, i) => [r.id, i]));
        const aggregateOf = new Map(records.map((r) => [r.id, r.aggregate]));
        const done = new Set<string>();
        const violations: string[] = [];
        for (const line of log) {
          if (line.op === 'accepted' || line.op === 'dead-lettered') done.add(line.id);
          if (line.op !== 'send') continue;
          const earlier = records.filter(
            (r, i) =>
              r.aggregate === aggregateOf.get(line.id) && i < (position.get(line.id) ?? 0) && !done.has(r.id),
          );
          if (earlier.length > 0)
            violations.push(`${line.id} sent before ${earlier.map((r) => r.id).join(', ')}`);
        }
        expect(violations).toEqual([]);
      }),
      RUNS,
    );
  });

  it('guarantee 5: every poison record reaches the poison DLQ with its reason and never blocks the stream', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { log, records, checkpoint } = await replay(scenario);

        expect(checkpoint).toBe(records.length);
        const reasons = new Map(
          log.flatMap((l) => (l.op === 'dead-lettered' ? [[l.id, l.reason] as const] : [])),
        );
        for (const record of records.filter((r) => r.poison)) {
          expect(reasons.get(record.id)).toBe('contract-violation');
        }
        const sent = new Set(log.filter((l) => l.op === 'send').map((l) => l.id));
        expect(records.filter((r) => r.poison && sent.has(r.id))).toEqual([]);
      }),
      RUNS,
    );
  });
});
