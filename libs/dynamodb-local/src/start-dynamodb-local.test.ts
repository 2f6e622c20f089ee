import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbLocalStartError, JavaNotFoundError } from './errors';
import { findFreePort } from './free-port';
import { assertJavaAvailable, parseJavaMajorVersion } from './java';
import { startDynamoDbLocal } from './start-dynamodb-local';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

describe('startDynamoDbLocal', () => {
  it('serves the real DynamoDB API on a free port and leaves no JVM behind after stop()', async () => {
    const ddb = await startDynamoDbLocal();
    const client = new DynamoDBClient(ddb.clientConfig);
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'things',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      // -sharedDb: another region and other credentials still see the same table.
      const other = new DynamoDBClient({
        ...ddb.clientConfig,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      expect((await other.send(new ListTablesCommand({}))).TableNames).toEqual(['things']);
      other.destroy();
    } finally {
      client.destroy();
      await ddb.stop();
    }
    const javaPids = await listJavaPidsOnPort(ddb.port);
    expect(javaPids).toEqual([]);
  });

  it('rejects a port that is already taken, naming the port', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(
        new DynamoDbLocalStartError(
          `Cannot start DynamoDB Local on port ${port}: the port is already in use. Stop what listens there or choose another port.`,
        ),
      );
    } finally {
      server.close();
    }
  });

  it('retries on a new port when the port it chose is taken before the JVM binds it', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
    const taken = (squatter.address() as { port: number }).port;
    const chosen: number[] = [];
    const ports = [taken];
    const ddb = await startDynamoDbLocal({
      choosePort: async () => {
        const port = ports.shift() ?? (await findFreePort());
        chosen.push(port);
        return port;
      },
    });
    try {
      expect(chosen).toHaveLength(2);
      expect(chosen[0]).toBe(taken);
      expect(ddb.port).toBe(chosen[1]);
    } finally {
      await ddb.stop();
      squatter.close();
    }
  });

  it('kills the JVM when the process that started it is killed without cleaning up', async () => {
    const script = `
      import { startDynamoDbLocal } from '@outboxed/dynamodb-local';
      const ddb = await startDynamoDbLocal();
      const { execSync } = await import('node:child_process');
      // '[D]' keeps the pattern from matching the shell that runs pgrep (whose command line holds the pattern)
      const pid = execSync("pgrep -f '[D]ynamoDBLocal.jar.*-port " + ddb.port + "( |$)'").toString().trim();
      process.stdout.write(pid + '\\n');
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const javaPid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim().split('\n')[0])));
      parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
    });
    expect(isAlive(javaPid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitUntil(() => !isAlive(javaPid), 10_000)).toBe(true);
  });
});

describe('assertJavaAvailable', () => {
  it('fails with a message that says Java is missing and how to install it', () => {
    expect(() => assertJavaAvailable('java-that-does-not-exist')).toThrow(JavaNotFoundError);
    expect(() => assertJavaAvailable('java-that-does-not-exist')).toThrow(
      /needs Java 17\+.*apt-get install openjdk-17/,
    );
  });

  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "21" 2023-09-19', 21],
    ['no version here', undefined],
  ])('parses %j as major version %s', (output, expected) => {
    expect(parseJavaMajorVersion(output)).toBe(expected);
  });
});

async function listJavaPidsOnPort(port: number): Promise<number[]> {
  const { execSync } = await import('node:child_process');
  try {
    const out = execSync(`pgrep -f 'DynamoDBLocal.jar.*-port ${port}( |$)'`).toString();
    return out.split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
