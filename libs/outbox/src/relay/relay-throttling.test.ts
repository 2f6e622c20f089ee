// Guarantees 2 and 4 under EventBridge throttling: the relay, with its production EventBridge client over HTTP,
// against a PutEvents endpoint that enforces a request quota (whole requests refused with ThrottlingException)
// and throttles entries one by one, driven as a stream event source mapping with ParallelizationFactor 2 drives it.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDelivery,
  startPutEventsModel,
  type AcceptedEvent,
  type PutEventsModel,
} from '../../bench/put-events-model';
import { runShard } from '../../bench/stream-lanes';
import {
  anInsertRecord,
  anOutboxItem,
  fakeContracts,
  recordingLogger,
  recordingMetrics,
  seq,
} from '../testing/factories';
import { createRelayHandler } from './relay-handler';

const AGGREGATES = 40;
const EVENTS_PER_AGGREGATE = 8;

/** Commit order: the aggregates' events interleaved, as concurrent users' writes reach one shard. */
function committedRecords(): { records: DynamoDBRecord[]; committed: AcceptedEvent[] } {
  const records: DynamoDBRecord[] = [];
  const committed: AcceptedEvent[] = [];
  for (let sequence = 1; sequence <= EVENTS_PER_AGGREGATE; sequence += 1) {
    for (let a = 0; a < AGGREGATES; a += 1) {
      const item = anOutboxItem({ aggregateId: `U${a}`, sequence });
      records.push(anInsertRecord(item, seq(records.length + 1)));
      committed.push({ eventId: item.eventId, aggregateId: item.aggregateId, sequence });
    }
  }
  return { records, committed };
}

describe('relay under PutEvents throttling (guarantees 2 and 4)', () => {
  let bus: PutEventsModel;
  beforeAll(async () => {
    bus = await startPutEventsModel({
      latencyMs: 2,
      requestsPerSecond: 40,
      burst: 4,
      entryThrottleRate: 0.2,
      seed: 7,
    });
  });
  afterAll(() => bus.close());

  it('publishes every committed event, each aggregate in commit order, though requests and entries are throttled', async () => {
    const { records, committed } = committedRecords();
    const eventBridge = new EventBridgeClient({
      endpoint: bus.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1, // as in production: the relay owns retries
    });
    const handler = createRelayHandler(
      { contracts: fakeContracts, eventBusName: 'users-bus', poisonQueueUrl: 'http://unused.invalid/q' },
      {
        eventBridge,
        sqs: { send: () => Promise.reject(new Error('no record of this test is poison')) },
        logger: recordingLogger(),
        metrics: recordingMetrics(),
      },
    );

    const lanes = await runShard(records, handler, { batchSize: 100, parallelizationFactor: 2 });
    eventBridge.destroy();

    const stats = bus.stats();
    expect(stats.throttledRequests, 'the quota refused whole requests').toBeGreaterThan(0);
    expect(stats.throttledEntries, 'entries were throttled one by one').toBeGreaterThan(0);
    expect(lanes.abandonedRecords).toBe(0);
    expect(checkDelivery(bus.accepted(), committed)).toMatchObject({ missing: 0, outOfOrder: 0 });
  });
});
