// `npm run bench relay`: relays batches of stream records to an in-process EventBridge endpoint (JSON 1.1 over
// HTTP) that answers every PutEvents after 25 ms, and reports PutEvents requests against the minimum the limits
// allow, wall time, the speed-up over a sequential one-request-at-a-time baseline measured in the same run, and
// resident memory. Not a test: it prints figures (copied into the README).
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { createRelayHandler } from '../src/index.ts';
import { DEFAULT_MAX_REQUEST_BYTES, putEventsEntrySize } from '../src/relay/entry-size.ts';
import { mapOutboxRecord } from '../src/relay/map-record.ts';
import { anInsertRecord, anOutboxItem, fakeContracts, seq } from '../src/testing/factories.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const LATENCY_MS = 25;
const CONCURRENCY = 8;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noMetrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** `n` INSERT records of outbox items spread round-robin over `aggregates` aggregates (commit order). */
function records(n: number, aggregates: number, offset = 0): DynamoDBRecord[] {
  const sequences = new Map<number, number>();
  return Array.from({ length: n }, (_, i) => {
    const aggregate = (offset + i) % aggregates;
    const sequence = (sequences.get(aggregate) ?? 0) + 1;
    sequences.set(aggregate, sequence);
    const item = anOutboxItem({ aggregateId: `A${aggregate}`, sequence, eventId: `EVT-${offset + i}` });
    return anInsertRecord(item, seq(offset + i + 1));
  });
}

/** The fewest requests the limits allow: 10 entries, `maxRequestBytes` per request; one in flight per aggregate. */
function minimumRequests(batch: readonly DynamoDBRecord[], aggregates: number): number {
  const sizes = batch.map((r) => {
    const m = mapOutboxRecord(r, { eventBusName: 'bench-bus', contracts: fakeContracts });
    return m.kind === 'entry' ? putEventsEntrySize(m.entry) : 0;
  });
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const perAggregate = Math.ceil(batch.length / aggregates);
  return Math.max(
    Math.ceil(batch.length / 10),
    Math.ceil(bytes / DEFAULT_MAX_REQUEST_BYTES),
    perAggregate > 1 ? perAggregate : 0,
  );
}

const endpointProcess = spawn(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, 'put-events-endpoint.ts'), String(LATENCY_MS)],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const [firstLine] = (await once(endpointProcess.stdout, 'data')) as [Buffer];
const endpoint = `http://127.0.0.1:${firstLine.toString('utf8').trim()}`;
const putEventsRequestCount = async (): Promise<number> =>
  ((await (await fetch(`${endpoint}/stats`)).json()) as { putEventsRequests: number }).putEventsRequests;
const clientConfig = {
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
};
const eventBridge = new EventBridgeClient(clientConfig);
const sqs = new SQSClient(clientConfig);
const relay = (concurrency: number) =>
  createRelayHandler(
    { contracts: fakeContracts, eventBusName: 'bench-bus', poisonQueueUrl: `${endpoint}/q`, concurrency },
    { eventBridge, sqs, logger: silent, metrics: noMetrics },
  );
const context = { getRemainingTimeInMillis: () => 900_000 };

async function timed(concurrency: number, batch: DynamoDBRecord[]) {
  const before = await putEventsRequestCount();
  const started = performance.now();
  const response = await relay(concurrency)({ Records: batch }, context);
  const ms = performance.now() - started;
  if (response.batchItemFailures.length > 0) throw new Error('benchmark batch was not fully published');
  return { ms, requests: (await putEventsRequestCount()) - before };
}

// Warm up the HTTP connections and the JIT.
await timed(CONCURRENCY, records(200, 200));

console.log(`PutEvents endpoint latency ${LATENCY_MS} ms, relay concurrency ${CONCURRENCY}\n`);
console.log('| batch | requests (minimum) | wall, concurrency 8 | wall, sequential | speed-up |');
console.log('| --- | --- | --- | --- | --- |');
for (const aggregates of [1_000, 10]) {
  const batch = records(1_000, aggregates);
  const sequential = await timed(1, batch);
  const parallel = await timed(CONCURRENCY, batch);
  console.log(
    `| 1,000 records on ${aggregates.toLocaleString('en')} aggregates | ${parallel.requests} (${minimumRequests(batch, aggregates)}) | ` +
      `${parallel.ms.toFixed(0)} ms | ${sequential.ms.toFixed(0)} ms (${sequential.requests} requests) | ${(sequential.ms / parallel.ms).toFixed(1)}× |`,
  );
}

// Resident memory: the relay's own footprint must not grow with the number of records it relays. The records of
// one batch are the Lambda event itself (the event source mapping hands over at most 6 MB), so each batch is
// built, relayed and dropped, as in Lambda; RSS is read after a GC.
async function rssAfter(
  total: number,
  batchSize: number,
): Promise<{ rss: number; heap: number; external: number }> {
  for (let offset = 0; offset < total; offset += batchSize) {
    await timed(CONCURRENCY, records(Math.min(batchSize, total - offset), 1_000, offset));
  }
  gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed, external: usage.external };
}
gc();
const baseline = process.memoryUsage();
const after1k = await rssAfter(1_000, 1_000);
const after10k = await rssAfter(10_000, 1_000);
const after10kAgain = await rssAfter(10_000, 1_000);
const after10kThird = await rssAfter(10_000, 1_000);
console.log(
  '\n| records relayed (batches of 1,000) | RSS after GC | heap used after GC | external after GC |',
);
console.log('| --- | --- | --- | --- |');
const row = (label: string, m: { rss: number; heap: number; external: number }) =>
  console.log(`| ${label} | ${mb(m.rss)} MB | ${mb(m.heap)} MB | ${mb(m.external)} MB |`);
row('none yet', { rss: baseline.rss, heap: baseline.heapUsed, external: baseline.external });
row('1,000', after1k);
row('+10,000', after10k);
row('+10,000 more', after10kAgain);
row('+10,000 more', after10kThird);

const single10k = records(10_000, 1_000, 50_000);
gc();
const beforeSingle = process.memoryUsage();
let peak = beforeSingle.rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const single = await timed(CONCURRENCY, single10k);
clearInterval(sampler);
console.log(
  `\nOne batch of 10,000 records (1,000 aggregates): ${single.requests} requests, ${single.ms.toFixed(0)} ms, ` +
    `peak RSS ${mb(peak)} MB (${mb(peak - beforeSingle.rss)} MB above the batch already in memory).`,
);

eventBridge.destroy();
sqs.destroy();
endpointProcess.kill('SIGTERM');
