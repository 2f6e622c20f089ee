import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FunctionInvocationError } from '../errors';
import { LocalFunction } from './local-function';
import type { FunctionDefinition } from './local-function';

const codeDir = join(import.meta.dirname, '..', 'fixtures', 'behaviours');
const running: LocalFunction[] = [];
const lines: string[] = [];

const makeFunction = (overrides: Partial<FunctionDefinition> = {}) => {
  const fn = new LocalFunction(
    {
      name: 'Fixture',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:Fixture',
      codeDir,
      handler: 'index.handler',
      environment: { OWN_VARIABLE: 'mine', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' },
      timeoutSeconds: 1,
      ...overrides,
    },
    (name, line) => lines.push(`[${name}] ${line}`),
  );
  running.push(fn);
  return fn;
};

afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.stop()));
  lines.length = 0;
});

describe('LocalFunction', () => {
  it('runs the handler in a worker with its own environment and a Lambda context', async () => {
    const fn = makeFunction();

    const result = (await fn.invoke({ value: 42 })) as Record<string, unknown>;

    expect(result).toEqual({
      echo: 42,
      pid: expect.any(Number),
      functionName: 'Fixture',
      remainingPositive: true,
      endpoint: 'http://127.0.0.1:4566',
      own: 'mine',
    });
    expect(result.pid).not.toBe(process.pid);
  });

  it('reuses the warm worker for the next invocation', async () => {
    const fn = makeFunction();

    const first = (await fn.invoke({})) as { pid: number };
    const second = (await fn.invoke({})) as { pid: number };

    expect(second.pid).toBe(first.pid);
    expect(fn.workerCount).toBe(1);
  });

  it('fails a timed-out invocation as Lambda reports it and kills the worker', async () => {
    const fn = makeFunction({ timeoutSeconds: 1 });

    const invocation = fn.invoke({ action: 'sleep', ms: 5_000 });

    await expect(invocation).rejects.toThrow(
      new FunctionInvocationError('Fixture', 'Sandbox.Timedout', 'Task timed out after 1.00 seconds'),
    );
    expect(lines.some((l) => l.endsWith('Task timed out after 1.00 seconds'))).toBe(true);
    await expect.poll(() => fn.workerCount).toBe(0);
  });

  it.each([
    ['a thrown error', { action: 'throw' }, 'TypeError', 'the fixture was asked to fail'],
    ['a worker exiting', { action: 'exit' }, 'Runtime.ExitError', 'Runtime exited with error: exit status 3'],
  ])('reports %s with its errorType and errorMessage', async (_name, event, errorType, message) => {
    const fn = makeFunction();

    const error = await fn.invoke(event).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FunctionInvocationError);
    expect((error as FunctionInvocationError).errorType).toBe(errorType);
    expect((error as FunctionInvocationError).errorMessage).toContain(message);
  });

  it('fails with Runtime.ImportModuleError when the asset has no such file', async () => {
    const fn = makeFunction({ handler: 'missing.handler' });

    await expect(fn.invoke({})).rejects.toMatchObject({ errorType: 'Runtime.ImportModuleError' });
  });

  it("prefixes the worker's output lines with the function name", async () => {
    const fn = makeFunction();

    await fn.invoke({ action: 'log' });

    await expect
      .poll(() => lines)
      .toContain(
        '[Fixture] {"level":"INFO","message":"hello from the fixture","userId":"u-1","email":"secret@example.com"}',
      );
  });

  it('runs concurrent invocations in separate workers up to maxConcurrency', async () => {
    const fn = makeFunction({ maxConcurrency: 2 });

    const results = (await Promise.all([
      fn.invoke({ action: 'sleep', ms: 300 }),
      fn.invoke({ action: 'sleep', ms: 300 }),
      fn.invoke({}),
    ])) as unknown[];

    expect(results.slice(0, 2)).toEqual([{ slept: 300 }, { slept: 300 }]);
    expect(fn.workerCount).toBe(2);
  });

  it('kills the worker named by the app id of its SDK calls (with a suffix a library appended): its invocation fails', async () => {
    const fn = makeFunction({ timeoutSeconds: 10 });
    const { appId } = (await fn.invoke({ action: 'app-id' })) as { appId: string };
    const sleeping = fn.invoke({ action: 'sleep', ms: 5_000 });
    await expect.poll(() => fn.busyCount).toBe(1);

    const killed = fn.killWorker(`${appId}-PT-NO-OP-2.35.0-PTEnv-AWS_Lambda_nodejs22.x`);

    expect(appId).toMatch(/^w\d+$/);
    expect(killed).toBe(true);
    await expect(sleeping).rejects.toMatchObject({ name: 'FunctionInvocationError' });
    expect(fn.killWorker('w0-not-a-worker')).toBe(false);
  });
});
