// Runs a CDK app that is not one of this workspace's apps (examples/stream-and-queue) from its cloud assembly,
// synthesized into a temporary folder outside the workspace, and checks the event source mappings against AWS's
// documentation with it:
// - "Retaining discarded records for a DynamoDB event source in Lambda" (services-dynamodb-errors): bisecting does
//   not consume the retry quota; the on-failure record;
// - "Handling errors for an SQS event source in Lambda" (services-sqs-errorhandling): partial batch responses, the
//   visibility timeout and the queue's maxReceiveCount.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeApp } from './assembly';
import { startLocalRuntime } from './runtime';
import { findWorkspaceRoot } from './workspace-root';
import type { LocalRuntime } from './runtime';

const example = join(import.meta.dirname, '..', 'examples', 'stream-and-queue');
let runtime: LocalRuntime;
let assembly: string;
const lines: string[] = [];

beforeAll(async () => {
  // the assembly's stacks are named after its folder: the app `stream-and-queue`
  assembly = join(mkdtempSync(join(tmpdir(), 'assembly-')), 'stream-and-queue');
  await synthesizeApp({ name: 'stream-and-queue', dir: example, assemblyDir: assembly }, findWorkspaceRoot());
  runtime = await startLocalRuntime({
    assemblies: [assembly],
    dataDir: mkdtempSync(join(tmpdir(), 'stream-and-queue-data-')),
    dynamoDbPort: 0,
    edgePort: 0,
    apiPort: 0,
    functionLog: (name, line) => lines.push(`${name.split('-')[1]}: ${line}`),
  });
});

afterAll(async () => {
  await runtime?.stop();
});

/** The physical name (`Ref`) of the example stack's resource whose logical id starts with `prefix`. */
function physical(prefix: string, type: string): string {
  const stack = runtime.stacks.find((s) => s.plan.input.stackName === 'StreamAndQueue');
  const resource = [...(stack?.resources.values() ?? [])].find(
    (r) => r.type === type && r.logicalId.startsWith(prefix),
  );
  if (!resource) throw new Error(`the example stack has no ${type} ${prefix}…`);
  return resource.identity.ref;
}

async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  for (const m of out.Messages ?? [])
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
  return (out.Messages ?? []).map((m) => m.Body as string);
}

describe('startLocalRuntime({ assemblies }): any CDK app from its cloud assembly', () => {
  it('lists the resource types it does not run, as for the workspace apps', () => {
    expect(runtime.unsupported).toEqual([
      {
        app: 'stream-and-queue',
        stackName: 'StreamAndQueue',
        logicalId: 'Approvals',
        type: 'AWS::StepFunctions::Activity',
      },
    ]);
  });

  it('bisects the stream batch without consuming retries, discards only the poison item, and the queue redrives the item its consumer keeps failing', async () => {
    const dynamodb = new DynamoDBClient({
      endpoint: runtime.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const sqs = new SQSClient({
      endpoint: runtime.endpoints.edge,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const item = (id: string, extra: Record<string, { BOOL: boolean }> = {}) => ({
      PutRequest: { Item: { id: { S: id }, ...extra } },
    });

    await dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [physical('Items', 'AWS::DynamoDB::Table')]: [
            item('a'),
            item('b'),
            item('c', { poison: { BOOL: true } }),
            item('d'),
            item('e', { failInQueue: { BOOL: true } }),
          ],
        },
      }),
    );

    const streamFailures: string[] = [];
    await expect
      .poll(
        async () =>
          streamFailures.push(...(await receiveAll(sqs, physical('StreamFailures', 'AWS::SQS::Queue')))),
        {
          timeout: 60_000,
        },
      )
      .toBe(1);
    const workDlq: string[] = [];
    await expect
      .poll(async () => workDlq.push(...(await receiveAll(sqs, physical('WorkDlq', 'AWS::SQS::Queue')))), {
        timeout: 60_000,
      })
      .toBe(1);
    dynamodb.destroy();
    sqs.destroy();

    // the items of one BatchWriteItem arrive within the 2 s batching window: one batch of five, then halves
    expect(lines.filter((l) => l.startsWith('Forward') && l.includes('batch '))).toEqual([
      expect.stringMatching(/batch a,b,c,d,e$/),
      expect.stringMatching(/batch a,b,c$/),
      expect.stringMatching(/batch a,b$/),
      expect.stringMatching(/batch c$/),
      expect.stringMatching(/batch c$/),
      expect.stringMatching(/batch d,e$/),
    ]);
    const forwardArn = runtime.functions.find(physical('Forward', 'AWS::Lambda::Function'))?.definition.arn;
    expect(JSON.parse(streamFailures[0] as string)).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: forwardArn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 2,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.any(String),
      DDBStreamBatchInfo: {
        shardId: expect.any(String),
        startSequenceNumber: expect.any(String),
        endSequenceNumber: expect.any(String),
        approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        batchSize: 1,
        streamArn: expect.stringContaining(':table/'),
      },
    });
    expect(forwardArn).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:StreamAndQueue-Forward/);
    expect(workDlq.map((body) => JSON.parse(body) as unknown)).toEqual([{ id: 'e', failInQueue: true }]);
    const consumerLines = lines.filter((l) => l.startsWith('Consume'));
    expect(
      consumerLines
        .filter((l) => l.includes('consumed'))
        .map((l) => l.split(' ').at(-1))
        .sort(),
    ).toEqual(['a', 'b', 'd']);
    expect(consumerLines.filter((l) => l.includes('failed e'))).toEqual([
      expect.stringContaining('failed e (receive 1)'),
      expect.stringContaining('failed e (receive 2)'),
    ]);
  });

  it('`npm start -- --assembly <dir>` prints the banner, listing the unsupported resource types, and stops on Ctrl-C', async () => {
    const root = findWorkspaceRoot();
    // what `npm start -- --assembly <dir> …` runs (package.json), with free ports and its own data
    const cli = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'scripts', 'start.ts'),
        '--assembly',
        assembly,
        '--port',
        '0',
        '--api-port',
        '0',
        '--dynamodb-port',
        '0',
        '--data-dir',
        mkdtempSync(join(tmpdir(), 'stream-and-queue-cli-')),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    cli.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = once(cli, 'exit');

    await expect.poll(() => out, { timeout: 120_000, interval: 200 }).toContain('Live log below.');
    cli.kill('SIGINT');
    const [code] = await exited;

    expect(out).toContain('reading 1 cloud assembly folder(s)');
    expect(out).toMatch(/outboxed is running locally — ready in/);
    expect(out).toMatch(
      /Not run locally \(unsupported resource types\):\n {2}StreamAndQueue\/Approvals \(AWS::StepFunctions::Activity\)/,
    );
    expect(out).not.toContain('curl');
    expect(out).toContain('outboxed: stopped.');
    expect(code).toBe(0);
  });
});
