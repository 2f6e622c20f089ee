import { CreateEventBusCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRegistryCommand, ListSchemasCommand } from '@aws-sdk/client-schemas';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { startEdge, type Edge, type EdgeRequest } from './edge';
import { clientsFor } from './test-clients';

let edge: Edge | undefined;
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
});

describe('onRequest (the request journal)', () => {
  it('hands over each answered call in order: service, action, parsed input, status and output', async () => {
    const requests: EdgeRequest[] = [];
    edge = await startEdge({ onRequest: (r) => requests.push(r) });
    const { events, sqs } = clientsFor(edge);
    await events.send(new CreateEventBusCommand({ Name: 'b' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    requests.length = 0;

    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'b', Source: 's', DetailType: 'd', Detail: '{"n":1}', Time: new Date(1_000_000) },
          { EventBusName: 'nope', Source: 's', DetailType: 'd', Detail: '{"n":2}' },
        ],
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));

    expect(requests.map((r) => [r.service, r.action, r.method, r.path, r.status])).toEqual([
      ['events', 'PutEvents', 'POST', '/', 200],
      ['sqs', 'SendMessage', 'POST', '/', 200],
    ]);
    expect(requests[0]?.input).toEqual({
      Entries: [
        { EventBusName: 'b', Source: 's', DetailType: 'd', Detail: '{"n":1}', Time: 1000 },
        { EventBusName: 'nope', Source: 's', DetailType: 'd', Detail: '{"n":2}' },
      ],
    });
    expect(requests[0]?.output).toEqual({
      FailedEntryCount: 1,
      Entries: [
        { EventId: put.Entries?.[0]?.EventId },
        expect.objectContaining({ ErrorCode: 'ResourceNotFoundException' }),
      ],
    });
    expect(requests[1]?.input).toEqual({ QueueUrl, MessageBody: 'hello' });
    events.destroy();
    sqs.destroy();
  });

  it('hands over REST calls with their decoded path, query and AWS error answer', async () => {
    const requests: EdgeRequest[] = [];
    edge = await startEdge({ onRequest: (r) => requests.push(r) });
    const { schemas } = clientsFor(edge);

    await expect(
      schemas.send(new ListSchemasCommand({ RegistryName: 'no registry', SchemaNamePrefix: 'a@b' })),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
    });

    expect(requests).toEqual([
      {
        service: 'schemas',
        action: 'ListSchemas',
        method: 'GET',
        path: '/v1/registries/name/no registry/schemas',
        query: { schemaNamePrefix: 'a@b' },
        input: {},
        status: 404,
        output: {
          __type: 'NotFoundException',
          message: 'Registry with name no registry does not exist.',
          Message: 'Registry with name no registry does not exist.',
        },
      },
    ]);
    schemas.destroy();
  });

  it('keeps answering when the observer throws', async () => {
    edge = await startEdge({
      onRequest: () => {
        throw new Error('observer bug');
      },
    });
    const { schemas } = clientsFor(edge);

    const created = await schemas.send(new CreateRegistryCommand({ RegistryName: 'r' }));

    expect(created.RegistryName).toBe('r');
    schemas.destroy();
  });
});

describe('faults.failPutEventsEntries', () => {
  const entry = (n: number) => ({ EventBusName: 'b', Source: 's', DetailType: 'd', Detail: `{"n":${n}}` });

  it('fails the chosen entries with the documented code and meaning, per attempt, and accepts the others', async () => {
    edge = await startEdge();
    const { events } = clientsFor(edge);
    await events.send(new CreateEventBusCommand({ Name: 'b' }));
    const seen: [string | undefined, number][] = [];
    edge.faults.failPutEventsEntries((e, attempt) => {
      seen.push([e.Detail, attempt]);
      return e.Detail === '{"n":2}' && attempt === 1 ? 'ThrottlingException' : undefined;
    });

    const first = await events.send(new PutEventsCommand({ Entries: [entry(1), entry(2), entry(3)] }));
    const retry = await events.send(new PutEventsCommand({ Entries: [entry(2)] }));

    expect(first.FailedEntryCount).toBe(1);
    expect(first.Entries?.map((e) => e.ErrorCode ?? 'accepted')).toEqual([
      'accepted',
      'ThrottlingException',
      'accepted',
    ]);
    expect(first.Entries?.[1]?.ErrorMessage).toBe(
      'The request was denied due to request throttling. (injected fault)',
    );
    expect(retry).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    expect(seen).toEqual([
      ['{"n":1}', 1],
      ['{"n":2}', 1],
      ['{"n":3}', 1],
      ['{"n":2}', 2],
    ]);
    expect(edge.faults.counts['events.entry-chosen.ThrottlingException']).toBe(1);
    events.destroy();
  });

  it.each([
    [
      'InternalFailure',
      'The request processing has failed because of an unknown error, exception or failure.',
    ],
    [
      'NotAuthorizedForSourceException',
      'You do not have permissions to publish events with this source onto this event bus.',
    ],
  ] as const)('answers %s with its documented meaning', async (code, meaning) => {
    edge = await startEdge();
    const { events } = clientsFor(edge);
    await events.send(new CreateEventBusCommand({ Name: 'b' }));
    edge.faults.failPutEventsEntries(() => code);

    const out = await events.send(new PutEventsCommand({ Entries: [entry(1)] }));

    expect(out.Entries).toEqual([{ ErrorCode: code, ErrorMessage: `${meaning} (injected fault)` }]);
    events.destroy();
  });

  it('stops failing, and restarts the attempt count, when the rule is removed', async () => {
    edge = await startEdge();
    const { events } = clientsFor(edge);
    await events.send(new CreateEventBusCommand({ Name: 'b' }));
    edge.faults.failPutEventsEntries(() => 'InternalFailure');
    await events.send(new PutEventsCommand({ Entries: [entry(1)] }));

    edge.faults.failPutEventsEntries(undefined);
    const out = await events.send(new PutEventsCommand({ Entries: [entry(1)] }));

    expect(out.FailedEntryCount).toBe(0);
    events.destroy();
  });

  it('answers an undocumented code from the rule as a failed call naming the allowed codes', async () => {
    edge = await startEdge();
    const { events } = clientsFor(edge);
    await events.send(new CreateEventBusCommand({ Name: 'b' }));
    edge.faults.failPutEventsEntries(() => 'Oops' as never);

    await expect(events.send(new PutEventsCommand({ Entries: [entry(1)] }))).rejects.toThrow(
      /failPutEventsEntries result is "Oops"; it must be one of PutEvents' documented per-entry codes \(InternalFailure, ThrottlingException/,
    );
    events.destroy();
  });
});
