import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { FunctionInvocationError } from '../errors';
import { runtimeNodePath } from './runtime-node-path';
import { continueTrace, upstreamTraceHeader } from './trace-header';

/**
 * Everything needed to run one Lambda function locally.
 *
 * @example new LocalFunction({ name: 'Api', arn, codeDir: 'cdk.out/asset.abc', handler: 'index.handler', environment: {}, timeoutSeconds: 30 });
 */
export interface FunctionDefinition {
  readonly name: string;
  readonly arn: string;
  /** The folder of the function's asset (`cdk.out/asset.<hash>`). */
  readonly codeDir: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  /** The function's resolved environment plus the local endpoints. */
  readonly environment: Readonly<Record<string, string>>;
  /** @default 3 (Lambda's default) */
  readonly timeoutSeconds?: number;
  /** Noted in the context and `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, not enforced. @default 128 */
  readonly memoryMb?: number;
  /** Concurrent executions (workers) at most. @default 4 */
  readonly maxConcurrency?: number;
}

/**
 * Receives each line a worker prints.
 *
 * @example const sink: FunctionLogSink = (name, line) => console.log(`[${name}] ${line}`);
 */
export type FunctionLogSink = (functionName: string, line: string, stream: 'stdout' | 'stderr') => void;

interface Worker {
  /** `AWS_SDK_UA_APP_ID` of the worker (`w<n>`): the edge sees it in the User-Agent of each SDK call it makes. */
  readonly appId: string;
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  busy: boolean;
}

interface WorkerReply {
  type: 'ready' | 'result' | 'crash';
  id?: string;
  ok?: boolean;
  result?: unknown;
  error?: { errorType: string; errorMessage: string; trace?: string[] };
}

const WORKER_RUNTIME = join(import.meta.dirname, 'worker-runtime.cjs');
/** Where the AWS SDK resolves from in every worker, as the Lambda runtime provides it. */
const RUNTIME_NODE_PATH = runtimeNodePath();
let workersStarted = 0;

/**
 * A Lambda function run in worker processes (`child_process.fork`), one invocation per worker at a time, with its
 * own environment, so handler code runs unchanged. Warm workers are reused; a timed-out invocation kills its worker
 * and fails with Lambda's `Task timed out after N.NN seconds`.
 *
 * @example
 * const fn = new LocalFunction({ name: 'Api', arn, codeDir, handler: 'index.handler', environment: {} }, log);
 * const result = await fn.invoke({ hello: 'world' });
 * await fn.stop();
 */
export class LocalFunction {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private readonly waiting: ((w: Worker) => void)[] = [];
  private stopped = false;

  constructor(
    readonly definition: FunctionDefinition,
    private readonly log: FunctionLogSink = (name, line) => console.log(`[${name}] ${line}`),
  ) {}

  /** Number of worker processes alive (warm or busy). */
  get workerCount(): number {
    return this.all.size;
  }

  /**
   * Invokes the function synchronously (RequestResponse) and returns its result; throws {@link FunctionInvocationError}.
   * The invocation runs with its own `_X_AMZN_TRACE_ID`, as Lambda sets it: it continues `traceHeader` (by default
   * the API Gateway event's `x-amzn-trace-id`) when that is a valid X-Ray header, else it starts a new trace.
   *
   * @example const out = await fn.invoke(event);
   */
  async invoke(
    event: unknown,
    traceHeader: string | undefined = upstreamTraceHeader(event),
  ): Promise<unknown> {
    const worker = await this.acquire();
    const { name, arn } = this.definition;
    const timeoutSeconds = this.definition.timeoutSeconds ?? 3;
    const awsRequestId = randomUUID();
    try {
      await worker.ready;
      const id = randomUUID();
      const result = await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.log(
            name,
            `${awsRequestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
            'stderr',
          );
          this.discard(worker);
          reject(
            new FunctionInvocationError(
              name,
              'Sandbox.Timedout',
              `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
            ),
          );
        }, timeoutSeconds * 1000);
        const onMessage = (reply: WorkerReply) => {
          if (reply.type === 'crash' || (reply.type === 'result' && reply.id === id)) finish(reply);
        };
        const onExit = (code: number | null) =>
          finish({
            type: 'crash',
            error: {
              errorType: 'Runtime.ExitError',
              errorMessage: `RequestId: ${awsRequestId} Error: Runtime exited with error: exit status ${code}`,
            },
          });
        const finish = (reply: WorkerReply) => {
          clearTimeout(timer);
          worker.child.off('message', onMessage);
          worker.child.off('exit', onExit);
          if (reply.ok) resolve(reply.result);
          else {
            if (reply.type === 'crash') this.discard(worker);
            const e = reply.error ?? { errorType: 'Error', errorMessage: 'unknown error' };
            reject(new FunctionInvocationError(name, e.errorType, e.errorMessage, e.trace));
          }
        };
        worker.child.on('message', onMessage);
        worker.child.once('exit', onExit);
        worker.child.send({
          type: 'invoke',
          id,
          event,
          traceId: continueTrace(traceHeader),
          context: {
            functionName: name,
            invokedFunctionArn: arn,
            memoryLimitInMB: this.definition.memoryMb ?? 128,
            awsRequestId,
            logStreamName: `local/[$LATEST]${worker.child.pid}`,
            deadlineMs: Date.now() + timeoutSeconds * 1000,
          },
        });
      });
      return result;
    } finally {
      this.release(worker);
    }
  }

  /** Number of invocations running now. */
  get busyCount(): number {
    return [...this.all].filter((w) => w.busy).length;
  }

  /**
   * Kills the worker whose SDK calls carry `appId` (SIGKILL, as a crashed execution environment): its invocation
   * fails with `Runtime.ExitError`. Libraries may append to the app id (Powertools adds `-PT-…`), so a caller
   * `w12-PT-…` names worker `w12`. Returns false when no worker of this function has that id.
   *
   * @example fn.killWorker('w12');
   */
  killWorker(appId: string): boolean {
    const worker = [...this.all].find((w) => appId === w.appId || appId.startsWith(`${w.appId}-`));
    if (!worker) return false;
    worker.child.kill('SIGKILL');
    return true;
  }

  /** Kills every worker. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.all].map((w) => this.kill(w)));
  }

  private async acquire(): Promise<Worker> {
    if (this.stopped)
      throw new FunctionInvocationError(
        this.definition.name,
        'Runtime.Stopped',
        'the local runtime is stopping',
      );
    const idle = this.idle.pop();
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (this.all.size < (this.definition.maxConcurrency ?? 4)) {
      const worker = this.spawn();
      worker.busy = true;
      return worker;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: Worker): void {
    if (!this.all.has(worker)) {
      const next = this.waiting.shift();
      if (next && !this.stopped) {
        const fresh = this.spawn();
        fresh.busy = true;
        next(fresh);
      }
      return;
    }
    const next = this.waiting.shift();
    if (next) next(worker);
    else {
      worker.busy = false;
      this.idle.push(worker);
    }
  }

  private spawn(): Worker {
    const { definition } = this;
    workersStarted += 1;
    // short: the SDK warns above 50 characters, and Powertools appends 43 of its own
    const appId = `w${workersStarted}`;
    const child = fork(WORKER_RUNTIME, [], {
      cwd: definition.codeDir,
      env: {
        PATH: process.env.PATH ?? '',
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        NODE_OPTIONS: '--enable-source-maps',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        LAMBDA_TASK_ROOT: definition.codeDir,
        _HANDLER: definition.handler,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_LAMBDA_FUNCTION_NAME: definition.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memoryMb ?? 128),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${definition.name}`,
        NODE_PATH: RUNTIME_NODE_PATH,
        ...definition.environment,
        // No X-Ray daemon runs locally: Powertools Tracer stays off (its segments would go nowhere), while
        // _X_AMZN_TRACE_ID is still set per invocation, so logs (xray_trace_id) and the outbox carry the trace.
        POWERTOOLS_TRACE_ENABLED: 'false',
        AWS_SDK_UA_APP_ID: appId,
      },
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const forward = (stream: 'stdout' | 'stderr') => {
      let buffered = '';
      child[stream]?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.log(definition.name, line, stream);
      });
    };
    forward('stdout');
    forward('stderr');
    child.on('error', (error) =>
      this.log(definition.name, `worker process error: ${error.message}`, 'stderr'),
    );
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) =>
        reject(
          new FunctionInvocationError(
            definition.name,
            'Runtime.ExitError',
            `worker exited with ${code} before it was ready`,
          ),
        ),
      );
    });
    ready.catch(() => undefined);
    const worker: Worker = { appId, child, ready, busy: false };
    this.all.add(worker);
    child.once('exit', () => {
      this.all.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return worker;
  }

  private discard(worker: Worker): void {
    this.all.delete(worker);
    void this.kill(worker);
  }

  private kill(worker: Worker): Promise<void> {
    const { child } = worker;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
