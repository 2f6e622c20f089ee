import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssemblyError } from './errors';
import { startLocalRuntime } from './runtime';

let blocker: Server;
let takenPort: number;

beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  takenPort = (blocker.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

describe('startLocalRuntime (start-up failures)', () => {
  it('fails naming the port when the DynamoDB Local port is taken', async () => {
    const starting = startLocalRuntime({
      stacks: [],
      dataDir: mkdtempSync(join(tmpdir(), 'lr-')),
      dynamoDbPort: takenPort,
      edgePort: 0,
      apiPort: 0,
    });

    await expect(starting).rejects.toThrow(
      `Cannot start DynamoDB Local on port ${takenPort}: the port is already in use.`,
    );
  });

  it('fails naming the port when the edge port is taken, after stopping DynamoDB Local again', async () => {
    const starting = startLocalRuntime({
      stacks: [],
      dataDir: mkdtempSync(join(tmpdir(), 'lr-')),
      dynamoDbPort: 0,
      edgePort: takenPort,
      apiPort: 0,
    });

    await expect(starting).rejects.toThrow(`port ${takenPort} on 127.0.0.1 is taken`);
  });

  it('fails listing the apps when --apps names an app the workspace does not have', async () => {
    const starting = startLocalRuntime({
      apps: ['no-such-app'],
      dataDir: mkdtempSync(join(tmpdir(), 'lr-')),
    });

    await expect(starting).rejects.toThrow(AssemblyError);
    await expect(
      startLocalRuntime({ apps: ['no-such-app'], dataDir: mkdtempSync(join(tmpdir(), 'lr-')) }),
    ).rejects.toThrow(
      /--apps names no-such-app, which is not an app of this workspace\. Apps \(folders apps\/\* with a cdk\.json\): .*users-service/,
    );
  });

  it('reports DynamoDB Local dying through `failed`, with a message saying so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lr-dies-'));
    const runtime = await startLocalRuntime({
      stacks: [],
      dataDir,
      dynamoDbPort: 0,
      edgePort: 0,
      apiPort: 0,
    });
    const javaPid = Number(
      execFileSync('pgrep', ['-f', '--', join(dataDir, 'dynamodb')], { encoding: 'utf8' })
        .trim()
        .split('\n')[0],
    );

    process.kill(javaPid, 'SIGKILL');

    const error = await runtime.failed;
    await runtime.stop();
    expect(error.message).toMatch(
      /^DynamoDB Local stopped unexpectedly \(exit code .*\); the local runtime cannot go on without it\.$/,
    );
  });
});
