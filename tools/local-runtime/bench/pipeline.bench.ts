// `npm run bench pipeline`: users per second sustained through the whole local pipeline (HTTP API → users table →
// stream → relay → EventBridge → queue → email consumer → SES mailbox) against raw DynamoDB Local transactional
// writes per second measured in the same run, and commit-to-email latency p50/p99 at half the sustained rate.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '@outboxed/dynamodb-local';
import { findWorkspaceRoot, startLocalRuntime } from '../src/index.ts';
import { cpuSpent, loadAverage, processTreeCpu, workerPids } from './process-cpu.ts';

const USERS = Number(process.env.BENCH_USERS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RAW_SECONDS = Number(process.env.BENCH_RAW_SECONDS ?? 10);
const LATENCY_USERS = Number(process.env.BENCH_LATENCY_USERS ?? 150);
// BENCH_CPU_PROF=<dir>: every Lambda worker writes a V8 CPU profile there (run the bench itself with
// `node --cpu-prof --import tsx` to profile the runtime process too).
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;

const root = findWorkspaceRoot(import.meta.dirname);
mkdirSync(join(root, 'tmp'), { recursive: true });
const dataDir = mkdtempSync(join(root, 'tmp', 'pipeline-bench-'));
let emailsAccepted = 0;
const startedAt = Date.now();
const runtime = await startLocalRuntime({
  workspaceRoot: root,
  apps: ['users-service', 'email-consumer', 'audit-consumer'],
  dataDir,
  // BENCH_SYNTH=never runs the assemblies as they are (profiling runs while others edit the sources)
  synth: process.env.BENCH_SYNTH === 'never' ? 'never' : 'auto',
  edgePort: 0,
  dynamoDbPort: 0,
  apiPort: 0,
  functionLog: process.env.BENCH_FUNCTION_LOG ? undefined : () => undefined,
  ...(CPU_PROF_DIR
    ? {
        propertyOverrides: ({ type }, properties) => {
          if (type !== 'AWS::Lambda::Function') return properties;
          const environment = (properties.Environment ?? {}) as { Variables?: Record<string, string> };
          const profiler = join(import.meta.dirname, 'cpu-profile-worker.cjs');
          const variables = {
            ...environment.Variables,
            NODE_OPTIONS: `--enable-source-maps --require ${profiler}`,
            BENCH_CPU_PROF: CPU_PROF_DIR,
          };
          return { ...properties, Environment: { Variables: variables } };
        },
      }
    : {}),
  // count accepted emails from the live log: polling the mailbox files would load the runtime's own event loop
  log: (e) => {
    if (e.kind === 'ses.sent') emailsAccepted += 1;
  },
});
console.log(`runtime ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`, runtime.timings);
const api = `${runtime.apis[0]?.url}users`;
const run = Date.now().toString(36);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

async function postUser(email: string): Promise<number> {
  const response = await fetch(api, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Bench User' }),
  });
  if (response.status !== 201) throw new Error(`POST /users answered ${response.status}`);
  await response.arrayBuffer();
  return Date.now();
}

/** Waits until `total` emails were accepted since the start, then reads the mailbox once: recipient → receivedAt. */
async function waitForEmails(prefix: string, total: number, timeoutMs: number): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  while (emailsAccepted < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const received = new Map<string, number>();
  for (const m of await runtime.edge.mailbox.list()) {
    const to = m.to[0] ?? '';
    if (to.startsWith(prefix)) received.set(to, Date.parse(m.receivedAt));
  }
  return received;
}

// 1. Raw DynamoDB Local: the same three-item transaction a user creation writes, same concurrency, a table with a
// stream, data on disk, the same JVM options, in a DynamoDB Local of its own: DynamoDB Local's CPU per request grows
// with the data it holds (its JVM spent 35 ms per pipeline user after 1 s of raw writes, 83 ms after 10 s), so raw
// writes in the runtime's DynamoDB Local would make the pipeline's figures depend on how fast this phase went.
const rawDynamoDb = await startDynamoDbLocal({ dbPath: join(dataDir, 'raw-dynamodb') });
const ddb = new DynamoDBClient(rawDynamoDb.clientConfig);
await ddb.send(
  new CreateTableCommand({
    TableName: 'bench-raw',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  }),
);
let rawWrites = 0;
const rawUntil = Date.now() + RAW_SECONDS * 1000;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async (_, worker) => {
    while (Date.now() < rawUntil) {
      const id = `${worker}-${rawWrites}`;
      await ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: 'bench-raw',
                Item: { pk: { S: `USER#${id}` }, sk: { S: 'USER' }, email: { S: `${id}@example.com` } },
              },
            },
            {
              Put: {
                TableName: 'bench-raw',
                Item: { pk: { S: `EMAIL#${id}@example.com` }, sk: { S: 'EMAIL' } },
              },
            },
            {
              Put: {
                TableName: 'bench-raw',
                Item: { pk: { S: `USER#${id}` }, sk: { S: `OUTBOX#${id}` }, itemType: { S: 'OUTBOX' } },
              },
            },
          ],
        }),
      );
      rawWrites += 1;
    }
  }),
);
const rawPerSecond = rawWrites / RAW_SECONDS;
ddb.destroy();
await rawDynamoDb.stop();
console.log(
  `raw DynamoDB Local: ${rawPerSecond.toFixed(1)} user-shaped transactions/s (3 items each, ${CONCURRENCY} concurrent); load average ${loadAverage()}`,
);

// 2. Sustained pipeline throughput: USERS users as fast as CONCURRENCY clients go, until the last welcome email.
const throughputPrefix = `bench-${run}-t-`;
const cpuBefore = processTreeCpu();
const t0 = Date.now();
await pool(USERS, CONCURRENCY, (i) => postUser(`${throughputPrefix}${i}@example.com`));
const acceptedAt = Date.now();
const delivered = await waitForEmails(throughputPrefix, USERS, 180_000);
const lastEmail = Math.max(...delivered.values());
const sustained = delivered.size / ((lastEmail - t0) / 1000);
// wait for the audit consumer too, then read every process's CPU once the pipeline is idle again
await new Promise((r) => setTimeout(r, 2000));
const cpu = cpuSpent(cpuBefore, processTreeCpu());
const cpuTotal = [...cpu.values()].reduce((a, b) => a + b, 0);
console.log(`CPU per user (${USERS} users, 2 s idle tail included), load average ${loadAverage()}:`);
for (const [role, ms] of cpu) console.log(`  ${(ms / USERS).toFixed(1).padStart(6)} ms  ${role}`);
console.log(`  ${(cpuTotal / USERS).toFixed(1).padStart(6)} ms  total`);
console.log(
  `pipeline: ${delivered.size}/${USERS} welcome emails; POSTs accepted at ${(USERS / ((acceptedAt - t0) / 1000)).toFixed(1)}/s; ` +
    `sustained end to end ${sustained.toFixed(1)} users/s (${((sustained / rawPerSecond) * 100).toFixed(0)}% of raw DynamoDB Local); load average ${loadAverage()}`,
);

// 3. Commit-to-email latency at half the sustained rate (paced, open loop).
const rate = sustained / 2;
const latencyPrefix = `bench-${run}-l-`;
const committedAt = new Map<string, number>();
const sends: Promise<void>[] = [];
const start = Date.now();
for (let i = 0; i < LATENCY_USERS; i += 1) {
  const due = start + (i * 1000) / rate;
  await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  const email = `${latencyPrefix}${i}@example.com`;
  sends.push(postUser(email).then((at) => void committedAt.set(email, at)));
}
await Promise.all(sends);
const latencyEmails = await waitForEmails(latencyPrefix, USERS + LATENCY_USERS, 120_000);
const latencies = [...latencyEmails]
  .map(([email, at]) => at - (committedAt.get(email) ?? at))
  .sort((a, b) => a - b);
console.log(
  `latency at ${rate.toFixed(1)} users/s (${latencies.length} users): commit → email p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms; load average ${loadAverage()}`,
);

console.log(
  JSON.stringify({
    rawTransactionsPerSecond: Number(rawPerSecond.toFixed(1)),
    sustainedUsersPerSecond: Number(sustained.toFixed(1)),
    ratio: Number((sustained / rawPerSecond).toFixed(2)),
    latencyRate: Number(rate.toFixed(1)),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerUser: Number((cpuTotal / USERS).toFixed(1)),
    cpuMsPerUserByProcess: Object.fromEntries(
      [...cpu].map(([role, ms]) => [role, Number((ms / USERS).toFixed(1))]),
    ),
    loadAverage: loadAverage(),
    startup: runtime.timings,
  }),
);
if (CPU_PROF_DIR) {
  // workers write their profiles on SIGTERM (see cpu-profile-worker.cjs)
  for (const pid of workerPids()) process.kill(pid, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 3000));
}
await runtime.stop();
rmSync(dataDir, { recursive: true, force: true });
