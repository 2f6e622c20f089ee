// Shared by `npm run bench bundles` and `npm run bench cost`: runs each function's deployed bundle (index.mjs of
// its synthesized asset) in a fresh Node process, as Lambda's init and first invocations would, against the stub
// AWS endpoint, and measures init (import of the bundle), the first invocation and warm ones (wall and CPU), and
// resident memory. The events chain as in the flow: the API's POST /users writes the outbox item, whose stream
// record feeds the relay, whose PutEvents entry becomes the consumers' SQS message.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StubAws, StubCall } from './stub-aws.ts';
import type { SynthesizedFunction } from './synth-apps.ts';

/** What one fresh process measured. */
export interface FunctionRun {
  /** Time to import the bundle (Lambda's init phase of the handler module). */
  readonly initMs: number;
  readonly initCpuMs: number;
  /** Each invocation in turn: the first is the cold one. */
  readonly invokeMs: readonly number[];
  readonly invokeCpuMs: readonly number[];
  readonly rssMb: number;
  /** Wall time from spawning the process to its answer (Node's own start included). */
  readonly processMs: number;
  /** The AWS calls of one invocation (the last one). */
  readonly callsPerInvocation: readonly StubCall[];
  /** Bytes the last invocation wrote to stdout/stderr (its CloudWatch log lines, EMF metrics included). */
  readonly logBytesPerInvocation: number;
}

// Runs inside the fresh process: plain ESM, so no loader (tsx) skews the import it measures.
const RUNNER = `
const { performance } = await import('node:perf_hooks');
const event = JSON.parse(process.env.BENCH_EVENT);
const count = Number(process.env.BENCH_INVOCATIONS);
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, awsRequestId: 'bench', logGroupName: 'bench',
  logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30000,
};
const cpu = (start) => { const u = process.cpuUsage(start); return (u.user + u.system) / 1000; };
let t = performance.now(); let c = process.cpuUsage();
const { handler } = await import(process.env.BENCH_BUNDLE);
const initMs = performance.now() - t; const initCpuMs = cpu(c);
const invokeMs = []; const invokeCpuMs = [];
for (let i = 0; i < count; i += 1) {
  if (i === count - 1) process.stdout.write('@@bench-last-invocation\\n');
  t = performance.now(); c = process.cpuUsage();
  await handler(structuredClone(event), { ...context, awsRequestId: 'bench-' + i });
  invokeMs.push(performance.now() - t); invokeCpuMs.push(cpu(c));
}
process.stdout.write('@@bench ' + JSON.stringify({ initMs, initCpuMs, invokeMs, invokeCpuMs,
  rssMb: process.memoryUsage().rss / 1048576 }) + '\\n');
process.exit(0);
`;

/**
 * Runs `bundle` in a fresh process with the function's environment, invoking it `invocations` times with `event`.
 *
 * @example const run = await runFresh(fn, join(fn.assetDir, 'index.mjs'), event, aws, 3);
 */
export async function runFresh(
  fn: SynthesizedFunction,
  bundle: string,
  event: unknown,
  aws: StubAws,
  invocations: number,
): Promise<FunctionRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER], {
    env: {
      PATH: process.env.PATH ?? '',
      ...fn.environment,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      BENCH_BUNDLE: bundle,
      BENCH_EVENT: JSON.stringify(event),
      BENCH_INVOCATIONS: String(invocations),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  aws.take();
  let lastCalls: StubCall[] = [];
  child.stdout.on('data', (d: Buffer) => {
    if (d.toString('utf8').includes('@@bench-last-invocation')) aws.take();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  lastCalls = aws.take();
  const line = stdout.split('\n').find((l) => l.startsWith('@@bench '));
  if (code !== 0 || !line) {
    throw new Error(`${fn.app}/${fn.name} did not run (exit ${code}):\n${stderr}\n${stdout.slice(-2000)}`);
  }
  const measured = JSON.parse(line.slice('@@bench '.length)) as Omit<
    FunctionRun,
    'processMs' | 'callsPerInvocation' | 'logBytesPerInvocation'
  >;
  const lastLogs = stdout.slice(
    stdout.indexOf('@@bench-last-invocation\n') + 24,
    stdout.indexOf('@@bench {'),
  );
  return {
    ...measured,
    processMs: performance.now() - started,
    callsPerInvocation: lastCalls,
    logBytesPerInvocation: Buffer.byteLength(lastLogs),
  };
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The API Gateway HTTP API (payload 2.0) event of `POST /users`. */
export function createUserRequest(): unknown {
  const body = JSON.stringify({ email: 'bench.user@example.com', name: 'Bench User' });
  return {
    version: '2.0',
    routeKey: 'POST /users',
    rawPath: '/users',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'bench',
      http: {
        method: 'POST',
        path: '/users',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId: 'bench',
      routeKey: 'POST /users',
      stage: '$default',
      time: '04/Dec/2026:12:00:00 +0000',
      timeEpoch: 1_796_385_600_000,
    },
    body,
    isBase64Encoded: false,
  };
}

/** The outbox item the API wrote (the Put of TransactWriteItems whose sort key starts with OUTBOX#). */
export function outboxItemOf(calls: readonly StubCall[]): Record<string, unknown> {
  for (const call of calls) {
    if (call.operation !== 'DynamoDB_20120810.TransactWriteItems') continue;
    const input = JSON.parse(call.body) as {
      TransactItems: { Put?: { Item: Record<string, { S?: string }> } }[];
    };
    for (const item of input.TransactItems) {
      if (item.Put?.Item.sk?.S?.startsWith('OUTBOX#')) return item.Put.Item;
    }
  }
  throw new Error('The API wrote no outbox item (no TransactWriteItems Put with an OUTBOX# sort key).');
}

/** The DynamoDB stream event of one outbox INSERT, as the event source mapping hands it to the relay. */
export function streamEventOf(item: Record<string, unknown>): unknown {
  return {
    Records: [
      {
        eventID: 'bench-1',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/bench/stream/2026-12-04T00:00:00.000',
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          Keys: { pk: item.pk, sk: item.sk },
          NewImage: item,
          SequenceNumber: '400000000000000000001',
          SizeBytes: JSON.stringify(item).length,
          StreamViewType: 'NEW_IMAGE',
        },
      },
    ],
  };
}

/** The first PutEvents entry the relay sent. */
export function putEventsEntryOf(calls: readonly StubCall[]): Record<string, string> {
  const call = calls.find((c) => c.operation === 'AWSEvents.PutEvents');
  const entry = call && (JSON.parse(call.body) as { Entries: Record<string, string>[] }).Entries[0];
  if (!entry) throw new Error('The relay sent no PutEvents entry.');
  return entry;
}

/** The SQS event a rule's queue hands a consumer: one message holding the EventBridge event of `entry`. */
export function queueEventOf(entry: Record<string, string>): unknown {
  const body = JSON.stringify({
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '000000000000',
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail: JSON.parse(entry.Detail ?? '{}') as unknown,
  });
  return {
    Records: [
      {
        messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
        receiptHandle: 'bench',
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'bench',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: 'bench',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/** The functions that have a bundle of ours (custom-resource handlers of aws-cdk-lib are left out). */
export function ownFunctions(functions: readonly SynthesizedFunction[]): SynthesizedFunction[] {
  return functions.filter((fn) => existsSync(join(fn.assetDir, 'index.mjs')));
}

/** Which event each function gets, by its role in the flow. */
export type FunctionRole = 'api' | 'relay' | 'redrive' | 'consumer';

/** The role of a function, from its logical id. */
export function roleOf(fn: SynthesizedFunction): FunctionRole {
  if (/Redrive/.test(fn.name)) return 'redrive';
  if (/Relay/.test(fn.name)) return 'relay';
  if (/Api/.test(fn.name)) return 'api';
  return 'consumer';
}
