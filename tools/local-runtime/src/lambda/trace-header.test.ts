import { parseTraceHeader } from '@outboxed/local-aws';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHttpApi } from '../http/http-api';
import { LocalFunction } from './local-function';
import { continueTrace, upstreamTraceHeader } from './trace-header';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const CALLER = `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`;

describe('continueTrace', () => {
  it.each([
    ['a valid header', CALLER, ROOT, '1'],
    ['a header not sampled', `Root=${ROOT};Sampled=0`, ROOT, '0'],
  ])('continues %s: same Root, a new Parent', (_case, upstream, root, sampled) => {
    const header = parseTraceHeader(continueTrace(upstream));

    expect(header).toEqual({ root, parent: expect.stringMatching(/^[0-9a-f]{16}$/), sampled });
    expect(header?.parent).not.toBe('53995c3f42cd8ad8');
  });

  it.each([
    ['no header', undefined],
    ['a header that is not X-Ray’s', 'my-request-42'],
    ['a header with a bad Root', 'Root=1-zz;Sampled=1'],
  ])('starts a new trace for %s', (_case, upstream) => {
    const first = parseTraceHeader(continueTrace(upstream));
    const second = parseTraceHeader(continueTrace(upstream));

    expect(first).toEqual({
      root: expect.stringMatching(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/),
      parent: expect.any(String),
      sampled: '1',
    });
    expect(second?.root).not.toBe(first?.root);
  });
});

describe('upstreamTraceHeader', () => {
  it.each([
    [
      'an API Gateway event',
      { version: '2.0', headers: { 'x-amzn-trace-id': CALLER }, requestContext: {} },
      CALLER,
    ],
    ['an API Gateway event without the header', { headers: {}, requestContext: {} }, undefined],
    [
      'an SQS batch (a new trace, linked per record)',
      { Records: [{ attributes: { AWSTraceHeader: CALLER } }] },
      undefined,
    ],
    ['a plain payload with headers', { headers: { 'x-amzn-trace-id': CALLER } }, undefined],
    ['no object', 'text', undefined],
  ])('reads %s', (_case, event, expected) => {
    expect(upstreamTraceHeader(event)).toBe(expected);
  });
});

describe('the invocation’s _X_AMZN_TRACE_ID, from the HTTP request to the worker', () => {
  const fn = new LocalFunction(
    {
      name: 'Traced',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:Traced',
      codeDir: join(import.meta.dirname, 'fixtures', 'trace'),
      handler: 'index.handler',
      environment: {},
    },
    () => undefined,
  );
  afterAll(() => fn.stop());

  const invokeOverHttp = async (headers: Record<string, string>) => {
    const api = await startHttpApi(
      { apiId: 'trace1', name: 'Traced', routes: [{ routeKey: '$default', functionArn: fn.definition.arn }] },
      async (_arn, event) => ({ statusCode: 200, body: JSON.stringify(await fn.invoke(event)) }),
    );
    try {
      const response = await fetch(`${api.url}users`, { headers });
      return (await response.json()) as { traceHeader: string | null; tracingEnabled: string | null };
    } finally {
      await api.stop();
    }
  };

  it('continues the caller’s valid X-Amzn-Trace-Id, and keeps Powertools Tracer off (no X-Ray daemon locally)', async () => {
    const seen = await invokeOverHttp({ 'x-amzn-trace-id': CALLER });

    expect(parseTraceHeader(seen.traceHeader)?.root).toBe(ROOT);
    expect(seen.tracingEnabled).toBe('false');
  });

  it('gives each request without a valid header a trace of its own', async () => {
    const first = await invokeOverHttp({ 'x-amzn-trace-id': 'not-a-trace' });
    const second = await invokeOverHttp({});

    expect(parseTraceHeader(first.traceHeader)).toBeDefined();
    expect(parseTraceHeader(second.traceHeader)).toBeDefined();
    expect(parseTraceHeader(second.traceHeader)?.root).not.toBe(parseTraceHeader(first.traceHeader)?.root);
  });

  it('starts a new trace for each invocation of a warm worker that is not an API call', async () => {
    const first = (await fn.invoke({ Records: [] })) as { traceHeader: string };
    const second = (await fn.invoke({ Records: [] }, CALLER)) as { traceHeader: string };
    const third = (await fn.invoke({ Records: [] })) as { traceHeader: string };

    expect(parseTraceHeader(first.traceHeader)).toBeDefined();
    expect(parseTraceHeader(second.traceHeader)?.root).toBe(ROOT);
    expect(parseTraceHeader(third.traceHeader)?.root).not.toBe(parseTraceHeader(first.traceHeader)?.root);
    expect(parseTraceHeader(third.traceHeader)?.root).not.toBe(ROOT);
  });
});
