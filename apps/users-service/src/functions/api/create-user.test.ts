import {
  DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { userCreated } from '@outboxed/contracts';
import { majorOf } from '@outboxed/contracts/tooling';
import { userCreatedNextMajor } from '@outboxed/contracts/testing';
import { parseOutboxItem, toEventDetail } from '@outboxed/outbox/testing';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { userCreatedPublications } from '../../contract-publications';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UserWriteError } from '../../errors';
import { createUsersOutboxWriter } from '../../table/users-outbox';
import { createUser, type CreateUserCommand, type CreateUserDeps } from './create-user';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const USER_ID = '01KC0000000000000000000001';
const dynamoDb = new DynamoDBClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const ddbMock = mockClient(dynamoDb);
/** Sends of one transaction the users table's writer makes before giving up on conflicts (its default). */
const MAX_TRANSACTION_ATTEMPTS = 3;

function deps(overrides: Partial<CreateUserDeps> = {}): CreateUserDeps & { sleeps: number[] } {
  const sleeps: number[] = [];
  let events = 0;
  return {
    dynamoDb,
    tableName: 'users',
    outboxWriter: createUsersOutboxWriter('users', {
      dynamoDb,
      now: () => NOW,
      newEventId: () => `01KE${String(++events).padStart(22, '0')}`,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    }),
    now: () => NOW,
    newUserId: () => USER_ID,
    idempotencyTtlSeconds: 3600,
    sleeps,
    ...overrides,
  };
}

const command = (overrides: Partial<CreateUserCommand> = {}): CreateUserCommand => ({
  request: { email: 'ada@example.com', name: 'Ada Lovelace' },
  correlationId: 'corr-1',
  ...overrides,
});

function cancelled(...codes: (string | CancellationReason)[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((code) => (typeof code === 'string' ? { Code: code } : code)),
  });
}

beforeEach(() => {
  ddbMock.reset();
});

describe('createUser', () => {
  it("guarantee 7: writes both majors of UserCreated in the user's one transaction during a transition window", async () => {
    ddbMock.on(TransactWriteItemsCommand).resolves({});
    const nextMajor = {
      contract: userCreatedNextMajor,
      data: (user: { id: string; email: string; name: string; createdAt: string }) => ({
        userId: user.id,
        email: user.email,
        displayName: user.name,
        createdAt: user.createdAt,
      }),
    };

    const outcome = await createUser(
      command(),
      deps({ publications: [...userCreatedPublications, nextMajor] }),
    );

    expect(outcome).toMatchObject({ kind: 'created', eventId: '01KE0000000000000000000001' });
    const calls = ddbMock.commandCalls(TransactWriteItemsCommand);
    expect(calls).toHaveLength(1);
    const outbox = (calls[0]?.args[0].input.TransactItems ?? [])
      .map((item) => unmarshall(item.Put?.Item ?? {}))
      .filter((item) => item['itemType'] === 'OUTBOX')
      .map((item) => parseOutboxItem(item));
    expect(outbox.map((item) => [item.eventType, majorOf(item.eventType).major, item.aggregateId])).toEqual([
      [userCreated.detailType, 1, USER_ID],
      [userCreatedNextMajor.detailType, 2, USER_ID],
    ]);
    const [current, next] = outbox;
    expect(current && userCreated.validateDetail(toEventDetail(current))).toEqual([]);
    expect(next && userCreatedNextMajor.validateDetail(toEventDetail(next))).toEqual([]);
  });

  it('validates each published major against its own contract', async () => {
    const broken = { contract: userCreatedNextMajor, data: () => ({ userId: USER_ID }) };

    await expect(
      createUser(command(), deps({ publications: [...userCreatedPublications, broken] })),
    ).rejects.toThrow(UserWriteError);
    expect(ddbMock.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('retries a transaction cancelled by a TransactionConflict with the very same input, then commits', async () => {
    ddbMock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict', 'None'))
      .resolves({});
    const d = deps();

    const outcome = await createUser(command(), d);

    expect(outcome).toEqual({
      kind: 'created',
      user: { id: USER_ID, email: 'ada@example.com', name: 'Ada Lovelace', createdAt: NOW.toISOString() },
      eventId: '01KE0000000000000000000001',
    });
    const calls = ddbMock.commandCalls(TransactWriteItemsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toEqual(calls[0]?.args[0].input);
    expect(d.sleeps).toHaveLength(1);
  });

  it(`fails with UserWriteError naming the reasons when conflicts outlast ${MAX_TRANSACTION_ATTEMPTS} attempts`, async () => {
    ddbMock.on(TransactWriteItemsCommand).rejects(cancelled('TransactionConflict', 'None', 'None'));

    await expect(createUser(command(), deps())).rejects.toThrow(
      new UserWriteError(
        "DynamoDB cancelled the user's transaction for a reason the API cannot answer with a 4xx (transaction-conflict after 3 attempt(s); reasons by item: email: TransactionConflict).",
      ),
    );
    expect(ddbMock.commandCalls(TransactWriteItemsCommand)).toHaveLength(MAX_TRANSACTION_ATTEMPTS);
  });

  it("answers email-taken when the email-uniqueness item's condition fails", async () => {
    ddbMock.on(TransactWriteItemsCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));

    await expect(createUser(command(), deps())).resolves.toEqual({ kind: 'email-taken' });
    expect(ddbMock.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
  });

  it('fails with UserWriteError when the user id is already taken (a ULID collision), not with a 409', async () => {
    ddbMock.on(TransactWriteItemsCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));

    await expect(createUser(command(), deps())).rejects.toThrow(UserWriteError);
  });

  it('reads the idempotency record when DynamoDB returns no item with the cancellation, and replays it', async () => {
    ddbMock
      .on(TransactWriteItemsCommand)
      .rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None'));
    // The stored request hash is the one this very request produces: learn it from the transaction it builds.
    ddbMock.on(GetItemCommand).callsFake(() => {
      const put = ddbMock.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input.TransactItems?.[0]?.Put;
      return { Item: put?.Item };
    });

    const outcome = await createUser(command({ idempotencyKey: 'key-1' }), deps());

    expect(outcome).toEqual({
      kind: 'replayed',
      statusCode: 201,
      body: { id: USER_ID, email: 'ada@example.com', name: 'Ada Lovelace', createdAt: NOW.toISOString() },
    });
    expect(ddbMock.commandCalls(GetItemCommand).map((call) => call.args[0].input)).toEqual([
      {
        TableName: 'users',
        Key: marshall({ pk: 'IDEMPOTENCY#key-1', sk: 'IDEMPOTENCY' }),
        ConsistentRead: true,
      },
    ]);
  });

  it('sends one transaction: idempotency record, email uniqueness, user, outbox item, each conditioned on not existing', async () => {
    ddbMock.on(TransactWriteItemsCommand).resolves({});

    await createUser(command({ idempotencyKey: 'key-1' }), deps());

    const items = ddbMock.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((item) => [item.Put?.Item?.['itemType']?.S, item.Put?.ConditionExpression])).toEqual([
      ['IDEMPOTENCY', 'attribute_not_exists(#pk) OR #ttl < :now'],
      ['EMAIL_UNIQUENESS', 'attribute_not_exists(#pk)'],
      ['USER', 'attribute_not_exists(#pk)'],
      ['OUTBOX', 'attribute_not_exists(#pk)'],
    ]);
    expect(items[0]?.Put?.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('refuses to write an event that breaks its contract outside the request fields, and sends nothing', async () => {
    await expect(createUser(command({ correlationId: 'c'.repeat(200) }), deps())).rejects.toThrow(
      /breaks its contract at detail\.metadata\.correlationId/,
    );
    expect(ddbMock.commandCalls(TransactWriteItemsCommand)).toEqual([]);
  });
});
