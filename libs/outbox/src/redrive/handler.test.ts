import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REDRIVE_ENV } from './env';
import { createRedriveHandler } from './handler';

const dynamodb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
// the mocks patch the clients' prototypes: restored, so other files sharing this worker (isolate: false) get real ones
afterAll(() => {
  dynamodb.restore();
  sqs.restore();
});

const env = {
  [REDRIVE_ENV.tableName]: 'users',
  [REDRIVE_ENV.eventBusName]: 'users-events',
  [REDRIVE_ENV.onFailureQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/111111111111/on-failure',
  [REDRIVE_ENV.poisonQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/111111111111/poison',
};

function handlerWith(keys?: { partitionKey: string; sortKey: string }) {
  return createRedriveHandler({
    env,
    ...(keys ? { keys } : {}),
    deps: {
      dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
      streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
    },
  });
}

/** The key attribute the redrive searched the table by, in its event-id mode. */
async function sortKeySearchedBy(handler: ReturnType<typeof handlerWith>): Promise<unknown> {
  dynamodb.on(ScanCommand).resolves({ Items: [] });
  sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
  await handler({ eventId: '01J00000000000000000000000', dryRun: true });
  return dynamodb.commandCalls(ScanCommand)[0]?.args[0].input.ExpressionAttributeNames?.['#sk'];
}

describe('createRedriveHandler', () => {
  afterEach(() => {
    dynamodb.reset();
    sqs.reset();
  });

  it("reads the table by the key attribute names it is told (the table's, as its writer and relay are told them)", async () => {
    await expect(sortKeySearchedBy(handlerWith({ partitionKey: 'PK', sortKey: 'SK' }))).resolves.toBe('SK');
  });

  it('reads the table by pk/sk when told no key names', async () => {
    await expect(sortKeySearchedBy(handlerWith())).resolves.toBe('sk');
  });
});
