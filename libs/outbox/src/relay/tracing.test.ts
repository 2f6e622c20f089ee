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
