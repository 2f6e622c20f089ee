import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { describe, expect, it, vi } from 'vitest';
import { traceInvocation } from './tracing';

/** A Tracer as in Lambda over a detached segment (no X-Ray daemon here), so the segments it opens can be read. */
function inspectableTracer() {
  const tracer = new Tracer({ serviceName: 'outbox-relay' });
  const root = new Tracer({ enabled: false }).getSegment();
  let current = root;
  vi.spyOn(tracer, 'getSegment').mockImplementation(() => current);
  vi.spyOn(tracer, 'setSegment').mockImplementation((segment) => void (current = segment));
  const annotate = vi.spyOn(tracer, 'annotateColdStart').mockImplementation(() => undefined);
  const service = vi.spyOn(tracer, 'addServiceNameAnnotation').mockImplementation(() => undefined);
  const errors = vi.spyOn(tracer, 'addErrorAsMetadata').mockImplementation(() => undefined);
  return { tracer, root, current: () => current, annotate, service, errors };
}

describe('traceInvocation', () => {
  it('runs the invocation in its closed handler subsegment, annotated, and restores the function segment', async () => {
    const t = inspectableTracer();
    let during: unknown;

    const result = await traceInvocation(t.tracer, 'relay', async () => {
      during = t.current();
      return 42;
    });

    expect(result).toBe(42);
    expect(t.root?.subsegments?.map((s) => s.name)).toEqual(['## relay']);
    expect(during).toBe(t.root?.subsegments?.[0]);
    expect(t.root?.subsegments?.[0]?.isClosed()).toBe(true);
    expect(t.current()).toBe(t.root);
    expect(t.annotate).toHaveBeenCalledOnce();
    expect(t.service).toHaveBeenCalledOnce();
  });

  it('adds a failing invocation’s error to its subsegment and rethrows it', async () => {
    const t = inspectableTracer();
    const failure = new TypeError('boom');

    await expect(
      traceInvocation(t.tracer, 'relay', async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);

    expect(t.errors).toHaveBeenCalledWith(failure);
    expect(t.root?.subsegments?.[0]?.isClosed()).toBe(true);
    expect(t.current()).toBe(t.root);
  });

  it('is transparent with tracing off (outside Lambda, or POWERTOOLS_TRACE_ENABLED=false)', async () => {
    await expect(traceInvocation(new Tracer({ enabled: false }), 'relay', async () => 'done')).resolves.toBe(
      'done',
    );
  });
});

describe('createTracer', () => {
  /** Imports the tracing module in a fresh Node process with `env`, and reports what it loaded and returned. */
  function loadIn(env: Record<string, string>) {
    const script = [
      "const { createTracer } = await import('./src/tracing.ts');",
      "const tracer = createTracer({ serviceName: 'probe' });",
      'const client = { send() {} };',
      'console.log(JSON.stringify({',
      '  xraySdkLoaded: Boolean(process.namespaces?.AWSXRay),',
      '  enabled: tracer.isTracingEnabled(),',
      '  clientKept: tracer.isTracingEnabled() ? null : tracer.captureAWSv3Client(client) === client,',
      '  segment: tracer.isTracingEnabled() ? null : (tracer.getSegment() ?? null),',
      '}));',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  }

  it('with POWERTOOLS_TRACE_ENABLED=false, never loads the X-Ray SDK (its async hooks) and leaves clients as they are', () => {
    expect(loadIn({ POWERTOOLS_TRACE_ENABLED: 'false' })).toEqual({
      xraySdkLoaded: false,
      enabled: false,
      clientKept: true,
      segment: null,
    });
  });

  it('otherwise is Powertools Tracer, which loads the X-Ray SDK and traces in Lambda', () => {
    const inLambda = loadIn({
      AWS_LAMBDA_FUNCTION_NAME: 'probe',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    });

    expect(inLambda).toMatchObject({ xraySdkLoaded: true, enabled: true });
  });
});
