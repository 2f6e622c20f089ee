// `npm run bench jvm`: DynamoDB Local's CPU (the JVM's own accounting, /proc/<pid>/stat) for the DynamoDB work of
// one user of the pipeline (the 3-item transaction, each consumer's idempotency put and update, the audit put),
// with the JVM's default options against DYNAMODB_LOCAL_JVM_OPTIONS, alternated in the same run (A B A B), data on disk.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DYNAMODB_LOCAL_JVM_OPTIONS, startDynamoDbLocal } from '../src/index.ts';

const USERS = Number(process.env.BENCH_USERS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const cpuMs = (pid: number) => {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 1/100 s
};
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function run(label: string, jvmOptions: readonly string[]) {
  const dbPath = mkdtempSync(join(tmpdir(), 'jvm-bench-'));
  const ddb = await startDynamoDbLocal({ dbPath, jvmOptions });
  const pid = ddb.pid;
  if (pid === undefined) throw new Error('DynamoDB Local has no process id');
  const startupMs = cpuMs(pid);
  const client = new DynamoDBClient(ddb.clientConfig);
  const key = (name: string, keys: string[]) => ({
    TableName: name,
    KeySchema: keys.map((k, i) => ({
      AttributeName: k,
      KeyType: i === 0 ? ('HASH' as const) : ('RANGE' as const),
    })),
    AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: 'S' as const })),
    BillingMode: 'PAY_PER_REQUEST' as const,
  });
  await client.send(
    new CreateTableCommand({
      ...key('users', ['pk', 'sk']),
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  );
  await client.send(new CreateTableCommand(key('idempotency', ['id'])));
  await client.send(new CreateTableCommand(key('audit', ['pk'])));

  const before = cpuMs(pid);
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < USERS) {
        const id = `u${next++}`;
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: 'users', Item: { pk: { S: `USER#${id}` }, sk: { S: 'USER' } } } },
              { Put: { TableName: 'users', Item: { pk: { S: `EMAIL#${id}` }, sk: { S: 'EMAIL' } } } },
              { Put: { TableName: 'users', Item: { pk: { S: `USER#${id}` }, sk: { S: `OUTBOX#${id}` } } } },
            ],
          }),
        );
        for (const consumer of ['email', 'audit']) {
          const item = { id: { S: `${consumer}#${id}` }, status: { S: 'INPROGRESS' } };
          await client.send(
            new PutItemCommand({
              TableName: 'idempotency',
              Item: item,
              ConditionExpression: 'attribute_not_exists(id)',
            }),
          );
          await client.send(
            new UpdateItemCommand({
              TableName: 'idempotency',
              Key: { id: item.id },
              UpdateExpression: 'SET #s = :s',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':s': { S: 'COMPLETED' } },
            }),
          );
        }
        await client.send(new PutItemCommand({ TableName: 'audit', Item: { pk: { S: id } } }));
      }
    }),
  );
  const seconds = (Date.now() - t0) / 1000;
  const perUser = (cpuMs(pid) - before) / USERS;
  client.destroy();
  await ddb.stop();
  rmSync(dbPath, { recursive: true, force: true });
  console.log(
    `${label.padEnd(40)} JVM ${perUser.toFixed(1).padStart(5)} ms CPU per user, ${(USERS / seconds).toFixed(1).padStart(6)} users/s, ` +
      `start-up ${(startupMs / 1000).toFixed(1)} s CPU; load average ${loadAverage()}`,
  );
  return { perUser, usersPerSecond: USERS / seconds };
}

const results: Record<string, { perUser: number; usersPerSecond: number }[]> = { default: [], tuned: [] };
for (let round = 0; round < ROUNDS; round++) {
  results.default?.push(await run('JVM defaults (C2, G1)', []));
  results.tuned?.push(await run(`${DYNAMODB_LOCAL_JVM_OPTIONS.join(' ')}`, DYNAMODB_LOCAL_JVM_OPTIONS));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const cpuDefault = mean((results.default ?? []).map((r) => r.perUser));
const cpuTuned = mean((results.tuned ?? []).map((r) => r.perUser));
const rateDefault = mean((results.default ?? []).map((r) => r.usersPerSecond));
const rateTuned = mean((results.tuned ?? []).map((r) => r.usersPerSecond));
console.log(
  JSON.stringify({
    users: USERS,
    jvmCpuMsPerUserDefault: Number(cpuDefault.toFixed(1)),
    jvmCpuMsPerUserTuned: Number(cpuTuned.toFixed(1)),
    cpuRatio: Number((cpuTuned / cpuDefault).toFixed(2)),
    throughputRatio: Number((rateTuned / rateDefault).toFixed(2)),
    loadAverage: loadAverage(),
  }),
);
