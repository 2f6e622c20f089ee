import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEmailTemplateCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CONSUMER_ENV } from '@outboxed/consumer-kit';
import { createIdempotencyTable, lambdaContext, sqsEventOf } from '@outboxed/consumer-kit/testing';
import { exampleUserCreatedEvent, exampleUserCreatedV1Event } from '@outboxed/contracts/testing';
import { sharedDynamoDbLocal } from '@outboxed/dynamodb-local/vitest';
import { startEdge } from '@outboxed/local-aws';
import type { Edge } from '@outboxed/local-aws';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_ENV } from '../../environment';
import { createWelcomeEmailHandler } from './handler';
import { WELCOME_TEMPLATE_CONTENT } from './welcome-email';

const SENDER = 'welcome@outboxed.example';
const TEMPLATE = 'welcome-template';
const ID_1 = '01JHB7N9Q3Z5W8X2C4V6T0R1S1';
const ID_2 = '01JHB7N9Q3Z5W8X2C4V6T0R1S2';
const ID_3 = '01JHB7N9Q3Z5W8X2C4V6T0R1S3';

/** A UserCreated event of user `n` (its own event id, user id and address). */
function userCreated(eventId: string, email = `user-${eventId.slice(-2)}@example.com`) {
  return exampleUserCreatedEvent({ detail: { metadata: { id: eventId }, data: { email } } });
}

describe('welcome-email handler', () => {
  const ddb = sharedDynamoDbLocal();
  let edge: Edge;
  let dynamoDb: DynamoDBClient;
  let ses: SESv2Client;
  let sqs: SQSClient;

  beforeAll(async () => {
    edge = await startEdge();
    dynamoDb = new DynamoDBClient(ddb.clientConfig);
    const edgeConfig = { endpoint: edge.endpoint, region: edge.region, credentials: edge.credentials };
    ses = new SESv2Client(edgeConfig);
    sqs = new SQSClient(edgeConfig);
    await ses.send(
      new CreateEmailTemplateCommand({ TemplateName: TEMPLATE, TemplateContent: WELCOME_TEMPLATE_CONTENT }),
    );
  });
  afterAll(async () => {
    for (const client of [dynamoDb, ses, sqs]) client.destroy();
    await edge.stop();
  });

  /** A handler over a fresh idempotency table and dead-letter queue, sending through `sesClient`. */
  async function handlerWith(sesClient: SESv2Client = ses) {
    const name = `email-${randomUUID()}`;
    await createIdempotencyTable(dynamoDb, name);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const handler = containerHandler(name, QueueUrl as string, sesClient);
    return {
      handler,
      deadLetterQueueUrl: QueueUrl as string,
      secondContainer: () => containerHandler(name, QueueUrl as string, sesClient),
    };
  }

  /** The handler as one Lambda container builds it, over the given idempotency table and dead-letter queue. */
  function containerHandler(name: string, QueueUrl: string, sesClient: SESv2Client) {
    return createWelcomeEmailHandler({
      env: {
        [CONSUMER_ENV.idempotencyTableName]: name,
        [CONSUMER_ENV.deadLetterQueueUrl]: QueueUrl,
        [EMAIL_ENV.senderAddress]: SENDER,
        [EMAIL_ENV.templateName]: TEMPLATE,
      },
      dynamoDb,
      sqs,
      ses: sesClient,
      logger: new Logger({ serviceName: 'email-consumer', logLevel: 'SILENT' }),
    });
  }

  async function emailsTo(address: string) {
    return (await edge.mailbox.list()).filter((m) => m.to.includes(address));
  }

  it.each([
    ['v1', exampleUserCreatedV1Event({ detail: { data: { email: 'v1@example.com' } } }), 'v1@example.com'],
    [
      'of the latest version',
      exampleUserCreatedEvent({ detail: { data: { email: 'latest@example.com' } } }),
      'latest@example.com',
    ],
  ])('sends one welcome email through SES v2 for a UserCreated %s event', async (_v, event, address) => {
    const { handler } = await handlerWith();

    const response = await handler(sqsEventOf([event]), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await emailsTo(address)).toEqual([
      expect.objectContaining({
        from: SENDER,
        to: [address],
        subject: 'Welcome to outboxed',
        text: 'Hello Ada Lovelace,\n\nyour outboxed account is ready.\n',
        template: expect.objectContaining({ name: TEMPLATE, data: JSON.stringify({ name: 'Ada Lovelace' }) }),
        tags: [{ Name: 'outboxed-event-id', Value: event.detail.metadata.id }],
      }),
    ]);
  });

  it('guarantee 3: sends one email for an event delivered twice', async () => {
    const { handler } = await handlerWith();
    const event = userCreated(ID_1, 'twice@example.com');

    const responses = [
      await handler(sqsEventOf([event], ['message-1']), lambdaContext()),
      await handler(sqsEventOf([event], ['message-2']), lambdaContext()),
    ];

    expect(responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(await emailsTo('twice@example.com')).toHaveLength(1);
  });

  it('guarantee 3: sends one email for an event delivered to two containers at once, the loser retried', async () => {
    const { handler, secondContainer } = await handlerWith();
    const other = secondContainer();
    const event = userCreated(ID_2, 'concurrent@example.com');

    const responses = await Promise.all([
      handler(sqsEventOf([event], ['message-a']), lambdaContext()),
      other(sqsEventOf([event], ['message-b']), lambdaContext()),
    ]);
    const retries = responses.flatMap((r) => r.batchItemFailures.map((f) => f.itemIdentifier));
    const retried = await handler(
      sqsEventOf(
        retries.map(() => event),
        retries,
      ),
      lambdaContext(),
    );

    expect(retries.length).toBeLessThanOrEqual(1);
    expect(retried).toEqual({ batchItemFailures: [] });
    expect(await emailsTo('concurrent@example.com')).toHaveLength(1);
  });

  it('reports only the record SES failed for, and sends it alone when SQS redelivers the batch', async () => {
    const flaky = new SESv2Client({ region: 'us-east-1' });
    const sent: string[] = [];
    let throttled = false;
    mockClient(flaky)
      .on(SendEmailCommand)
      .callsFake((input: { Destination: { ToAddresses: string[] } }) => {
        const [to] = input.Destination.ToAddresses;
        if (to === 'user-S2@example.com' && !throttled) {
          throttled = true;
          throw Object.assign(new Error('Maximum sending rate exceeded.'), {
            name: 'TooManyRequestsException',
          });
        }
        sent.push(to as string);
        return { MessageId: `ses-${to}` };
      });
    const { handler } = await handlerWith(flaky);
    const batch = sqsEventOf([userCreated(ID_1), userCreated(ID_2), userCreated(ID_3)]);

    const first = await handler(batch, lambdaContext());
    const redelivered = await handler(batch, lambdaContext());

    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-2' }] });
    expect(redelivered).toEqual({ batchItemFailures: [] });
    expect(sent.sort()).toEqual(['user-S1@example.com', 'user-S2@example.com', 'user-S3@example.com']);
  });

  it('guarantee 5: moves an invalid event to the dead-letter queue at once, sends nothing, reports no failure', async () => {
    const { handler, deadLetterQueueUrl } = await handlerWith();
    const invalid = exampleUserCreatedEvent({ detail: { data: { email: 'not-an-email' } } });

    const response = await handler(sqsEventOf([invalid]), lambdaContext());
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MessageAttributeNames: ['All'] }),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await emailsTo('not-an-email')).toEqual([]);
    expect(
      Messages?.map((m) => [JSON.parse(m.Body ?? ''), m.MessageAttributes?.['outboxed.rejection-reason']]),
    ).toEqual([[invalid, expect.objectContaining({ DataType: 'String', StringValue: 'ContractViolation' })]]);
  });
});
