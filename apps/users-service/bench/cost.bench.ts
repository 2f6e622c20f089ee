// `npm run bench cost`: what a million users cost on AWS, computed from the synthesized templates (memory sizes,
// batch sizes, retries, alarms, log retention, archive retention) and from figures measured in this run (each
// function's deployed bundle run warm against a stub of AWS: CPU per invocation, AWS calls and their bytes, log bytes
// per invocation), at the dated list prices of prices.ts. Side by side: this design, the seed's (one PutEvents per
// record, rules invoking the consumers asynchronously, no queues) and EventBridge Pipes as the relay. Then the memory
// size each function should have, from the same figures. Not a test: it prints figures (copied into the README).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { dynamoItemSize } from '@outboxed/outbox/testing';
import { putEventsEntrySize } from '@outboxed/cdk-common/put-events';
import { join } from 'node:path';
import { chainThroughFlow, setUpBench } from './bench-setup.ts';
import { roleOf, runFresh, type FunctionRun } from './function-runs.ts';
import { PRICES as P, PRICES_DATE, PRICES_REGION } from './prices.ts';
import type { StubCall } from './stub-aws.ts';
import type { SynthesizedFunction, TemplateResource } from './synth-apps.ts';

const USERS = 1_000_000;
const LOAD_USERS_PER_SECOND = 100;
/** Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB (Lambda developer guide). */
const ONE_VCPU_MB = 1_769;
/** In-Region latencies of the AWS calls, assumed (typical figures, not measured here), in ms. */
const LATENCY = { dynamoDbWrite: 8, dynamoDbTransaction: 12, putEvents: 25, ses: 40, other: 10 } as const;
/** Lambda's own log lines per invocation (START, END, REPORT as JSON), bytes, estimated. */
const PLATFORM_LOG_BYTES = 700;
/** One HTTP API access log line (the stack's access log format), bytes, estimated. */
const ACCESS_LOG_BYTES = 450;
/** X-Ray's default sampling rule: the first request each second, then 5 %. */
const XRAY_SAMPLED = 0.05;
const GB = 1024 ** 3;
const usd = (value: number) => `$${value < 10 ? value.toFixed(2) : value.toFixed(0)}`;

const { aws, functions, resources, finish } = await setUpBench('cost');
console.log(
  `Prices: ${PRICES_REGION} list prices as of ${PRICES_DATE} (apps/users-service/bench/prices.ts names each page).\n`,
);

// ---- the templates ----
const everyResource = [...resources.values()].flatMap((r) => Object.entries(r));
const ofType = (type: string) => everyResource.filter(([, r]) => r.Type === type);
const props = (r: TemplateResource) => r.Properties ?? {};
const logicalIdOf = (fn: SynthesizedFunction) =>
  Object.keys(resources.get(fn.app) ?? {}).find((id) => id.replace(/[0-9A-F]{8}$/, '') === fn.name) ?? '';
const mappingOf = (fn: SynthesizedFunction) =>
  ofType('AWS::Lambda::EventSourceMapping').find(
    ([, r]) => JSON.stringify(props(r).FunctionName) === JSON.stringify({ Ref: logicalIdOf(fn) }),
  )?.[1];
const retentionMonthsOf = (fn: SynthesizedFunction) => {
  const ref = (
    props(resources.get(fn.app)?.[logicalIdOf(fn)] ?? { Type: '' }).LoggingConfig as
      { LogGroup?: { Ref?: string } } | undefined
  )?.LogGroup?.Ref;
  const group = ref ? resources.get(fn.app)?.[ref] : undefined;
  return Number(group ? (props(group).RetentionInDays ?? 3653) : 3653) / 30;
};
const archiveDays = Number(props(ofType('AWS::Events::Archive')[0]?.[1] ?? { Type: '' }).RetentionDays ?? 0);
const accessLogMonths =
  Number(
    props(ofType('AWS::Logs::LogGroup').find(([id]) => /AccessLogs/.test(id))?.[1] ?? { Type: '' })
      .RetentionInDays ?? 365,
  ) / 30;

// ---- the measurements: each function warm, the events chaining through the flow ----
const warm = async (fn: SynthesizedFunction, event: unknown): Promise<FunctionRun> => {
  const runs: FunctionRun[] = [];
  for (let i = 0; i < 3; i += 1) runs.push(await runFresh(fn, join(fn.assetDir, 'index.mjs'), event, aws, 4));
  const best = runs[0] as FunctionRun;
  return {
    ...best,
    // The least of the runs: the figure least inflated by other work on a shared machine.
    initCpuMs: Math.min(...runs.map((r) => r.initCpuMs)),
    invokeCpuMs: [Math.min(...runs.map((r) => r.invokeCpuMs.at(-1) ?? 0))],
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
  };
};
const find = (role: string) => functions.filter((fn) => roleOf(fn) === role);
const {
  apiFn,
  relayFn,
  apiRun: api,
  relayRun: relay,
  entry,
  queueEvent,
} = await chainThroughFlow(functions, warm);
const consumers = new Map<SynthesizedFunction, FunctionRun>();
for (const fn of find('consumer')) consumers.set(fn, await warm(fn, queueEvent));

// ---- bytes and units per user ----
const apiWrites = api.callsPerInvocation.filter(
  (c) => c.operation === 'DynamoDB_20120810.TransactWriteItems',
);
const transactItems = apiWrites.flatMap(
  (c) =>
    (JSON.parse(c.body) as { TransactItems: { Put?: { Item: Record<string, AttributeValue> } }[] })
      .TransactItems,
);
const itemSizes = transactItems.map((t) => (t.Put ? dynamoItemSize(t.Put.Item) : 0));
const apiWriteUnits = itemSizes.reduce((sum, size) => sum + 2 * Math.max(1, Math.ceil(size / 1024)), 0);
const storedBytes = transactItems
  .filter((t) => t.Put && !('ttl' in t.Put.Item))
  .reduce(
    (sum, t) => sum + dynamoItemSize((t.Put as { Item: Record<string, AttributeValue> }).Item) + 100,
    0,
  );
const entryBytes = putEventsEntrySize(entry);
const writeUnitsOf = (calls: readonly StubCall[]) =>
  calls
    .filter((c) => /DynamoDB_20120810\.(PutItem|UpdateItem|DeleteItem|TransactWriteItems)/.test(c.operation))
    .reduce(
      (sum, c) =>
        sum + (c.operation.endsWith('TransactWriteItems') ? 2 : 1) * Math.max(1, Math.ceil(c.bytes / 1024)),
      0,
    );

/** Lambda's duration at `memoryMb` for `cpuMs` of this machine's CPU and `ioMs` of waiting on AWS. */
const durationMs = (cpuMs: number, ioMs: number, memoryMb: number) =>
  cpuMs * Math.max(1, ONE_VCPU_MB / memoryMb) + ioMs;
const lambdaCost = (invocations: number, memoryMb: number, ms: number) =>
  invocations * (P.lambdaRequest + (memoryMb / 1024) * (ms / 1000) * P.lambdaGbSecond);
const ioOf = (calls: readonly StubCall[]) =>
  calls.reduce(
    (sum, c) =>
      sum +
      (c.operation.endsWith('TransactWriteItems')
        ? LATENCY.dynamoDbTransaction
        : c.operation.startsWith('DynamoDB')
          ? LATENCY.dynamoDbWrite
          : c.operation === 'AWSEvents.PutEvents'
            ? LATENCY.putEvents
            : c.operation === 'SESv2.SendEmail'
              ? LATENCY.ses
              : LATENCY.other),
    0,
  );
const logCost = (invocations: number, bytesPerInvocation: number, retentionMonths: number) => {
  const gb = (invocations * bytesPerInvocation) / GB;
  return gb * P.logsIngestionGb + gb * P.logsStorageGbMonth * retentionMonths;
};

// Batching at a steady LOAD_USERS_PER_SECOND on one shard: Lambda polls a stream shard four times a second, so a
// relay invocation carries about load/4 records (at most BatchSize); consumers are counted at one message per
// invocation (the worst case: SQS batches fill only under load).
const relayBatchSize = Number(props(mappingOf(relayFn) ?? { Type: '' }).BatchSize ?? 100);
const recordsPerRelayInvocation = Math.max(1, Math.min(relayBatchSize, LOAD_USERS_PER_SECOND / 4));
const relayInvocations = USERS / recordsPerRelayInvocation;
/** The relay's CPU per further record of a batch, ms (`npm run bench shards` measures it: 0.3–0.4 ms). */
const RELAY_CPU_MS_PER_RECORD = 0.4;
const relayCpu = (relay.invokeCpuMs[0] ?? 0) + RELAY_CPU_MS_PER_RECORD * (recordsPerRelayInvocation - 1);
const relayIo = Math.ceil(recordsPerRelayInvocation / 10 / 8) * LATENCY.putEvents;
const seedRelayIo = recordsPerRelayInvocation * LATENCY.putEvents; // one PutEvents per record, one after another

type Line = { readonly item: string; readonly ours: number; readonly seed: number; readonly pipes: number };
const lines: Line[] = [];
const add = (item: string, ours: number, seed = ours, pipes = ours) =>
  lines.push({ item, ours, seed, pipes });

add('HTTP API requests', USERS * P.httpApiRequest);
const apiMs = durationMs(api.invokeCpuMs[0] ?? 0, ioOf(api.callsPerInvocation), apiFn.memoryMb);
add(`API Lambda (${apiFn.memoryMb} MB, ${apiMs.toFixed(0)} ms)`, lambdaCost(USERS, apiFn.memoryMb, apiMs));
add(
  `DynamoDB writes (${transactItems.length} items in one transaction, ${apiWriteUnits} WRU)`,
  USERS * apiWriteUnits * P.dynamoDbWriteRequestUnit,
);
add('DynamoDB Streams (read by Lambda or Pipes)', 0);
const relayMs = durationMs(relayCpu, relayIo, relayFn.memoryMb);
const seedRelayMs = durationMs(relayCpu, seedRelayIo, relayFn.memoryMb);
add(
  `relay Lambda (${relayFn.memoryMb} MB, ${recordsPerRelayInvocation} records per invocation)`,
  lambdaCost(relayInvocations, relayFn.memoryMb, relayMs),
  lambdaCost(relayInvocations, relayFn.memoryMb, seedRelayMs),
  0,
);
add('EventBridge Pipes requests', 0, 0, USERS * P.pipesRequest);
add('EventBridge PutEvents (events)', USERS * P.eventBridgeEvent);
add(
  `EventBridge archive (${entryBytes} B per event, kept ${archiveDays} days)`,
  ((USERS * entryBytes) / GB) *
    (P.eventBridgeArchiveGb + P.eventBridgeArchiveStorageGbMonth * (archiveDays / 30)),
);
const queueRequestsPerUser = consumers.size * 3; // SendMessage by the rule, ReceiveMessage and DeleteMessageBatch by the mapping
add(
  `SQS requests (${queueRequestsPerUser} per user: send, receive, delete × ${consumers.size} queues)`,
  USERS * queueRequestsPerUser * P.sqsRequest,
  0,
);
let consumerLambda = 0;
let consumerWrites = 0;
let consumerLogs = 0;
let emails = 0;
for (const [fn, run] of consumers) {
  const ms = durationMs(run.invokeCpuMs[0] ?? 0, ioOf(run.callsPerInvocation), fn.memoryMb);
  consumerLambda += lambdaCost(USERS, fn.memoryMb, ms);
  consumerWrites += USERS * writeUnitsOf(run.callsPerInvocation) * P.dynamoDbWriteRequestUnit;
  consumerLogs += logCost(USERS, run.logBytesPerInvocation + PLATFORM_LOG_BYTES, retentionMonthsOf(fn));
  emails += run.callsPerInvocation.filter((c) => c.operation === 'SESv2.SendEmail').length;
}
add(`consumer Lambdas (${consumers.size}, one message per invocation)`, consumerLambda);
add('consumer DynamoDB writes (idempotency records, audit trail)', consumerWrites);
add(`SES (${emails} email per user)`, USERS * emails * P.sesEmail);
const usersLogs =
  logCost(USERS, api.logBytesPerInvocation + PLATFORM_LOG_BYTES, retentionMonthsOf(apiFn)) +
  logCost(USERS, ACCESS_LOG_BYTES, accessLogMonths);
const relayLogs = logCost(
  relayInvocations,
  relay.logBytesPerInvocation + PLATFORM_LOG_BYTES,
  retentionMonthsOf(relayFn),
);
add(
  'CloudWatch Logs (ingestion + storage for the retention)',
  usersLogs + relayLogs + consumerLogs,
  usersLogs + relayLogs + consumerLogs,
  usersLogs + consumerLogs,
);
const tracedInvocations = 1 + 1 / recordsPerRelayInvocation + consumers.size;
add('X-Ray traces (default sampling, 5 %)', USERS * XRAY_SAMPLED * tracedInvocations * P.xrayTrace);

const total = (k: 'ours' | 'seed' | 'pipes') => lines.reduce((sum, l) => sum + l[k], 0);
console.log(
  `Per ${USERS.toLocaleString('en')} users (one UserCreated each), at a steady ${LOAD_USERS_PER_SECOND} users/s, ${PRICES_REGION} prices of ${PRICES_DATE}:\n`,
);
console.log(
  '| item | this design | seed (PutEvents per record, async invoke, no queues) | EventBridge Pipes as the relay |',
);
console.log('| --- | --- | --- | --- |');
for (const l of lines) console.log(`| ${l.item} | ${usd(l.ours)} | ${usd(l.seed)} | ${usd(l.pipes)} |`);
console.log(
  `| **total per million users** | **${usd(total('ours'))}** | **${usd(total('seed'))}** | **${usd(total('pipes'))}** |`,
);

const alarms = ofType('AWS::CloudWatch::Alarm').length;
const dashboards = ofType('AWS::CloudWatch::Dashboard').length;
console.log(
  `\nMonth by month, whatever the traffic: ${alarms} alarms (${usd(alarms * P.alarmMonth)}), ${dashboards} dashboards ` +
    `(${usd(Math.max(0, dashboards - 3) * P.dashboardMonth)} beyond the free 3), the EMF custom metrics ($0.30 each per month), ` +
    `and each SQS event source mapping's empty long polls (a few cents a queue). Storage of users: ` +
    `${usd(((USERS * storedBytes) / GB) * P.dynamoDbStorageGbMonth)} a month per million users kept (${storedBytes} B each, the outbox item expires by TTL).`,
);

// ---- memory sizes ----
console.log(
  '\nMemory size per function: duration on Lambda = CPU measured here × max(1, 1769 MB / memory) + waits on AWS (assumed latencies).',
);
console.log(
  'Chosen: the cheapest size that holds the measured RSS + 25 %, starts cold (init CPU scaled the same way) within 1.5 s, and, for the API (a caller waits), answers warm within 60 ms.\n\n' +
    '| function | RSS measured | init CPU | CPU per invocation | 128 MB | 256 MB | 512 MB | 1024 MB | chosen | template |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const perInvocation = [
  { fn: apiFn, run: api, cpu: api.invokeCpuMs[0] ?? 0, io: ioOf(api.callsPerInvocation), limitMs: 60 },
  { fn: relayFn, run: relay, cpu: relayCpu, io: relayIo, limitMs: Number.POSITIVE_INFINITY },
  ...[...consumers].map(([fn, run]) => ({
    fn,
    run,
    cpu: run.invokeCpuMs[0] ?? 0,
    io: ioOf(run.callsPerInvocation),
    limitMs: Number.POSITIVE_INFINITY,
  })),
];
for (const { fn, run, cpu, io, limitMs } of perInvocation) {
  const sizes = [128, 256, 512, 1024].map((mb) => {
    const ms = durationMs(cpu, io, mb);
    return { mb, ms, cost: lambdaCost(1e6, mb, ms) };
  });
  const fits = sizes.filter(
    (s) =>
      s.mb >= run.rssMb * 1.25 && s.ms <= limitMs && run.initCpuMs * Math.max(1, ONE_VCPU_MB / s.mb) <= 1_500,
  );
  const best = fits.sort((a, b) => a.cost - b.cost)[0];
  console.log(
    `| ${fn.app}/${fn.name} | ${run.rssMb.toFixed(0)} MB | ${run.initCpuMs.toFixed(0)} ms | ${cpu.toFixed(1)} ms | ` +
      sizes.map((s) => `${s.ms.toFixed(0)} ms, ${usd(s.cost)}/M`).join(' | ') +
      ` | ${best ? `${best.mb} MB` : 'none'} | ${fn.memoryMb} MB |`,
  );
}
await finish();
