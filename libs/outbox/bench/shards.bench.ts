// `npm run bench shards`: past one stream shard. The relay's own handler, driven as the event source mapping drives
// it (stream-lanes.ts: BatchSize records per invocation, ParallelizationFactor lanes per shard by partition key,
// resume at the reported checkpoint), against the PutEvents model in its own process (put-events-model.ts: 25 ms
// latency, the account's request quota refusing whole requests with ThrottlingException, per-entry throttling).
// Measures events/s for one shard, one shard with ParallelizationFactor 10, and several shards against a quota
// scaled down to what this machine can reach (so the quota binds), each checked for loss and per-user order; then
// derives, from the measured per-lane figures and the documented quotas, the settings for 100, 1,000 and 10,000
// users/s and what runs out first. Not a test: it prints figures (copied into the README).
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord } from 'aws-lambda';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createRelayHandler } from '../src/index.ts';
import { anInsertRecord, anOutboxItem, fakeContracts, seq } from '../src/testing/factories.ts';
import { checkDelivery, type AcceptedEvent } from './put-events-model.ts';
import { runShard } from './stream-lanes.ts';

const LATENCY_MS = 25;
const BATCH_SIZE = 100;
const CONCURRENCY = 8;
const EVENTS_PER_USER = 2; // UserCreated and one later event, so per-user order is checked, not trivially kept
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noMetrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

/** One shard's records: `users` users, their events interleaved in commit order. */
function shardRecords(
  shard: number,
  users: number,
): { records: DynamoDBRecord[]; committed: AcceptedEvent[] } {
  const records: DynamoDBRecord[] = [];
  const committed: AcceptedEvent[] = [];
  for (let sequence = 1; sequence <= EVENTS_PER_USER; sequence += 1) {
    for (let u = 0; u < users; u += 1) {
      const item = anOutboxItem({ aggregateId: `S${shard}U${u}`, sequence });
      records.push(anInsertRecord(item, seq(records.length + 1)));
      committed.push({ eventId: item.eventId, aggregateId: item.aggregateId, sequence });
    }
  }
  return { records, committed };
}

interface Scenario {
  readonly label: string;
  readonly shards: number;
  readonly parallelizationFactor: number;
  readonly concurrency: number;
  readonly usersPerShard: number;
  /** PutEvents requests per second the modelled account allows. @default none */
  readonly quota?: number;
}

async function run(scenario: Scenario) {
  const endpointProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'put-events-endpoint.ts'),
      String(LATENCY_MS),
      ...(scenario.quota ? [String(scenario.quota)] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [firstLine] = (await once(endpointProcess.stdout, 'data')) as [Buffer];
  const endpoint = `http://127.0.0.1:${firstLine.toString('utf8').trim()}`;
  // One client per lane, as each concurrent batch has its own Lambda execution environment.
  const clients: EventBridgeClient[] = [];
  const handlerForLane = () => {
    const eventBridge = new EventBridgeClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      maxAttempts: 1,
      requestHandler: { requestTimeout: 2_000, connectionTimeout: 1_000 },
    });
    clients.push(eventBridge);
    return createRelayHandler(
      {
        contracts: fakeContracts,
        eventBusName: 'bench-bus',
        poisonQueueUrl: `${endpoint}/q`,
        concurrency: scenario.concurrency,
      },
      {
        eventBridge,
        sqs: { send: () => Promise.reject(new Error('no bench record is poison')) },
        logger: silent,
        metrics: noMetrics,
      },
    );
  };
  const shards = Array.from({ length: scenario.shards }, (_, s) => shardRecords(s, scenario.usersPerShard));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const lanes = await Promise.all(
    shards.map(({ records }) =>
      runShard(
        records,
        { perLane: handlerForLane },
        {
          batchSize: BATCH_SIZE,
          parallelizationFactor: scenario.parallelizationFactor,
        },
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const stats = (await (await fetch(`${endpoint}/stats`)).json()) as {
    requests: number;
    throttledRequests: number;
    acceptedEntries: number;
  };
  const accepted = (await (await fetch(`${endpoint}/accepted`)).json()) as AcceptedEvent[];
  for (const client of clients) client.destroy();
  endpointProcess.kill('SIGTERM');
  const events = shards.reduce((sum, s) => sum + s.records.length, 0);
  const delivery = checkDelivery(
    accepted,
    shards.flatMap((s) => s.committed),
  );
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    cpuMsPerEvent: (cpu.user + cpu.system) / 1000 / events,
    requestsPerSecond: stats.requests / seconds,
    throttled: stats.throttledRequests,
    invocations: lanes.reduce((sum, l) => sum + l.invocations, 0),
    retried: lanes.reduce((sum, l) => sum + l.retriedInvocations, 0),
    ...delivery,
  };
}

console.log(`Machine load (os.loadavg 1/5/15 min) at start: ${load()}`);
console.log(
  `PutEvents latency ${LATENCY_MS} ms, BatchSize ${BATCH_SIZE}, ${EVENTS_PER_USER} events per user; the relay's code in one Node process.\n`,
);
const scenarios: Scenario[] = [
  {
    label: 'baseline: 1 shard, 1 lane, one request at a time',
    shards: 1,
    parallelizationFactor: 1,
    concurrency: 1,
    usersPerShard: 500,
  },
  {
    label: '1 shard, ParallelizationFactor 1',
    shards: 1,
    parallelizationFactor: 1,
    concurrency: CONCURRENCY,
    usersPerShard: 2_000,
  },
  {
    label: '1 shard, ParallelizationFactor 10',
    shards: 1,
    parallelizationFactor: 10,
    concurrency: CONCURRENCY,
    usersPerShard: 4_000,
  },
  {
    label: '4 shards, ParallelizationFactor 10, quota 150 requests/s',
    shards: 4,
    parallelizationFactor: 10,
    concurrency: CONCURRENCY,
    usersPerShard: 1_000,
    quota: 150,
  },
];
console.log(
  '| scenario | events | events/s | × baseline | PutEvents requests/s | throttled requests | invocations (retried) | lost | out of order | duplicates |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
let baseline = 0;
const results = new Map<string, Awaited<ReturnType<typeof run>>>();
for (const scenario of scenarios) {
  const r = await run(scenario);
  results.set(scenario.label, r);
  baseline ||= r.eventsPerSecond;
  console.log(
    `| ${scenario.label} | ${r.events.toLocaleString('en')} | ${r.eventsPerSecond.toFixed(0)} | ${(r.eventsPerSecond / baseline).toFixed(1)}× | ` +
      `${r.requestsPerSecond.toFixed(0)} | ${r.throttled} | ${r.invocations} (${r.retried}) | ${r.missing} | ${r.outOfOrder} | ${r.duplicates} |`,
  );
}
console.log(`\nMachine load after the runs: ${load()}`);

// ---- from the measured lane to AWS ----
const lane = results.get('1 shard, ParallelizationFactor 1');
if (!lane) throw new Error('the one-shard run is missing');
// The relay's CPU per event here, scaled to Lambda's share of a vCPU (1,769 MB = one vCPU), plus the waits.
const laneOnLambda = (memoryMb: number) => {
  const cpuMs = lane.cpuMsPerEvent * BATCH_SIZE * Math.max(1, 1_769 / memoryMb);
  const waitMs = Math.ceil(BATCH_SIZE / 10 / CONCURRENCY) * LATENCY_MS;
  return (BATCH_SIZE / (cpuMs + waitMs)) * 1000;
};
const WRU_PER_USER = 6; // one transaction of 3 items under 1 KB: 2 WRU each (npm run bench cost measures it)
const API_MS = 70; // the API's duration on Lambda at 512 MB (npm run bench cost)
const CONSUMER_BATCH_MS = 300; // a consumer invocation of 10 messages under load, assumed
const QUOTAS = {
  tableWru: 40_000, // DynamoDB on-demand, per table, default (adjustable)
  partitionWru: 1_000, // per partition, so per stream shard
  putEventsRequests: 10_000, // EventBridge PutEvents, us-east-1, per account, default (adjustable)
  invocations: 18_750, // EventBridge rule-target invocations, us-east-1, per account, default (adjustable)
  lambdaConcurrency: 1_000, // per account and Region, default (adjustable)
};
const RULES = 2; // the email and audit consumers' rules
console.log(
  `\nOne lane on Lambda (relay CPU measured here: ${lane.cpuMsPerEvent.toFixed(2)} ms per event): ` +
    `${laneOnLambda(256).toFixed(0)} events/s at 256 MB, ${laneOnLambda(1_024).toFixed(0)} at 1,024 MB, ${laneOnLambda(1_769).toFixed(0)} at 1,769 MB.`,
);
console.log(
  '\n| users/s | DynamoDB WRU/s | stream shards (≥ 1 per 1,000 WRU/s) | relay memory | ParallelizationFactor | relay concurrency | PutEvents requests/s | rule invocations/s | Lambda concurrency (API + relay + consumers) | nearest quotas (share used) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const usersPerSecond of [100, 1_000, 10_000]) {
  const wru = usersPerSecond * WRU_PER_USER;
  const shards = Math.max(1, Math.ceil(wru / QUOTAS.partitionWru));
  const memoryMb = usersPerSecond >= 10_000 ? 1_024 : 256;
  const perShard = usersPerSecond / shards;
  const factor = Math.min(10, Math.max(1, Math.ceil((perShard * 2) / laneOnLambda(memoryMb)))); // 2× headroom
  const relayConcurrency = shards * factor;
  // Lambda polls a shard 4 times a second: a batch holds perShard / factor / 4 records, ≤ 10 per request.
  const requests = usersPerSecond / Math.min(10, Math.max(1, perShard / factor / 4));
  const invocations = usersPerSecond * RULES;
  const concurrency =
    (usersPerSecond * API_MS) / 1000 +
    relayConcurrency +
    (RULES * usersPerSecond * CONSUMER_BATCH_MS) / 1000 / 10;
  const limits = [
    { name: 'DynamoDB table writes (40,000 WRU/s)', used: wru / QUOTAS.tableWru },
    { name: 'EventBridge invocations (18,750/s)', used: invocations / QUOTAS.invocations },
    { name: 'PutEvents (10,000 requests/s)', used: requests / QUOTAS.putEventsRequests },
    { name: 'Lambda concurrency (1,000)', used: concurrency / QUOTAS.lambdaConcurrency },
  ].sort((a, b) => b.used - a.used);
  console.log(
    `| ${usersPerSecond.toLocaleString('en')} | ${wru.toLocaleString('en')} | ${shards} | ${memoryMb} MB | ${factor} | ${relayConcurrency} | ` +
      `${requests.toFixed(0)} | ${invocations.toLocaleString('en')} | ${concurrency.toFixed(0)} | ` +
      `${limits
        .slice(0, 3)
        .map((l) => `${l.name} ${(l.used * 100).toFixed(0)} %`)
        .join('; ')} |`,
  );
}
