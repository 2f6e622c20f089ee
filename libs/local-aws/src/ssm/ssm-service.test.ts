import {
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from '../edge';
import { clientsFor } from '../test-clients';

describe('SSM Parameter Store over the JSON protocol (SDK v3)', () => {
  let edge: Edge;
  let ssm: SSMClient;

  beforeAll(async () => {
    edge = await startEdge();
    ssm = clientsFor(edge).ssm;
  });
  afterAll(() => edge.stop());

  it('puts and gets a parameter, with versions on overwrite', async () => {
    const first = await ssm.send(
      new PutParameterCommand({ Name: '/outboxed/users/event-bus-name', Value: 'users', Type: 'String' }),
    );
    const second = await ssm.send(
      new PutParameterCommand({ Name: '/outboxed/users/event-bus-name', Value: 'users-2', Overwrite: true }),
    );
    const latest = await ssm.send(new GetParameterCommand({ Name: '/outboxed/users/event-bus-name' }));
    const v1 = await ssm.send(new GetParameterCommand({ Name: '/outboxed/users/event-bus-name:1' }));

    expect([first.Version, second.Version]).toEqual([1, 2]);
    expect(latest.Parameter).toEqual({
      Name: '/outboxed/users/event-bus-name',
      Type: 'String',
      Value: 'users-2',
      Version: 2,
      LastModifiedDate: expect.any(Date),
      ARN: `arn:aws:ssm:${edge.region}:000000000000:parameter/outboxed/users/event-bus-name`,
      DataType: 'text',
    });
    expect(v1.Parameter?.Value).toBe('users');
  });

  it('refuses to overwrite without Overwrite (ParameterAlreadyExists)', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/once', Value: 'a', Type: 'String' }));
    await expect(
      ssm.send(new PutParameterCommand({ Name: '/once', Value: 'b', Type: 'String' })),
    ).rejects.toMatchObject({
      name: 'ParameterAlreadyExists',
    });
  });

  it('answers ParameterNotFound for an unknown parameter', async () => {
    await expect(ssm.send(new GetParameterCommand({ Name: '/missing' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('gets several parameters and names the unknown ones', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/a', Value: '1', Type: 'String' }));
    const result = await ssm.send(new GetParametersCommand({ Names: ['/a', '/nope'] }));
    expect(result.Parameters?.map((p) => [p.Name, p.Value])).toEqual([['/a', '1']]);
    expect(result.InvalidParameters).toEqual(['/nope']);
  });
});
