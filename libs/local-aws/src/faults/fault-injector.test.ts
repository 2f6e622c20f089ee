import { CreateEventBusCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from '../edge';
import { clientsFor } from '../test-clients';
import { FaultInjector, FaultPlanError } from './fault-injector';

let edge: Edge | undefined;
afterEach(async () => {
  await edge?.stop();
  edge = undefined;
});

const email = {
  FromEmailAddress: 'from@example.com',
  Destination: { ToAddresses: ['to@example.com'] },
  Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
};

describe('FaultInjector', () => {
  it('makes the same choices for the same seed', () => {
    const run = () => {
      const faults = new FaultInjector({ seed: 42, putEvents: { failEntryRate: 0.3 } });
      return Array.from({ length: 50 }, () => faults.entryFault()?.ErrorCode ?? 'ok');
    };

    expect(run()).toEqual(run());
    expect(run().filter((c) => c === 'InternalFailure').length).toBeGreaterThan(5);
  });

  it.each([
    [{ ses: { errorRate: 2 } }, /ses.errorRate is 2/],
    [{ seed: 1.5 }, /seed is 1.5; it must be an integer/],
    [{ crash: [{ action: 'sqs:SendMessage', when: 'after', rate: 1 }] }, /crash\[0\].action/],
  ])('rejects a plan with a bad field: %j', (plan, message) => {
    expect(() => new FaultInjector(plan as never)).toThrow(FaultPlanError);
    expect(() => new FaultInjector(plan as never)).toThrow(message);
  });
});

describe('an edge with faults', () => {
  it('fails PutEvents entries with InternalFailure and accepts the others', async () => {
    edge = await startEdge({ faults: { seed: 7, putEvents: { failEntryRate: 0.5 } } });
    const { events } = clientsFor(edge);
    await events.send(new CreateEventBusCommand({ Name: 'b' }));

    const out = await events.send(
      new PutEventsCommand({
        Entries: Array.from({ length: 10 }, () => ({
          EventBusName: 'b',
          Source: 's',
          DetailType: 'd',
          Detail: '{}',
        })),
      }),
    );

    const failed = out.Entries?.filter((e) => e.ErrorCode) ?? [];
    expect(out.FailedEntryCount).toBe(failed.length);
    expect(failed.length).toBe(edge.faults.counts['events.entry-failure']);
    expect(failed.every((e) => e.ErrorCode === 'InternalFailure')).toBe(true);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(10);
    events.destroy();
  });

  it('throttles SQS and SES calls with their own error codes, and stops when the plan is replaced', async () => {
    edge = await startEdge({ faults: { sqs: { throttleRate: 1 }, ses: { throttleRate: 1 } } });
    const { sqs, ses } = clientsFor(edge);

    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'q' }))).rejects.toMatchObject({
      name: 'RequestThrottled',
    });
    await expect(ses.send(new SendEmailCommand(email))).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429 },
    });
    edge.faults.set({});
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    expect(await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).not.toHaveProperty('Messages');
    expect((await ses.send(new SendEmailCommand(email))).MessageId).toBeTruthy();
    sqs.destroy();
    ses.destroy();
  });

  it('crashes the caller after SendEmail: the email is accepted, the caller is named and gets no answer', async () => {
    const crashed: (string | undefined)[] = [];
    edge = await startEdge({
      faults: { crash: [{ action: 'ses:SendEmail', when: 'after', rate: 1, limit: 1 }] },
      onCrash: (caller) => crashed.push(caller),
    });
    const { SESv2Client } = await import('@aws-sdk/client-sesv2');
    const ses = new SESv2Client({
      endpoint: edge.endpoint,
      region: edge.region,
      credentials: edge.credentials,
      maxAttempts: 1,
      customUserAgent: [['app', 'worker-7']],
    });

    await expect(ses.send(new SendEmailCommand(email))).rejects.toThrow();
    const second = await ses.send(new SendEmailCommand(email));

    expect(crashed).toEqual(['worker-7']);
    expect(await edge.mailbox.list()).toHaveLength(2);
    expect(second.MessageId).toBeTruthy();
    ses.destroy();
  });

  it('crashes the caller before SendEmail: nothing is accepted', async () => {
    edge = await startEdge({ faults: { crash: [{ action: 'ses:SendEmail', when: 'before', rate: 1 }] } });
    const { ses } = clientsFor(edge);

    await expect(ses.send(new SendEmailCommand(email))).rejects.toThrow();

    expect(await edge.mailbox.list()).toEqual([]);
    expect(edge.faults.counts['crash.ses:SendEmail.before']).toBe(1);
    ses.destroy();
  });
});
