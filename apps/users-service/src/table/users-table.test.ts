import { unmarshall } from '@aws-sdk/util-dynamodb';
import { userCreated } from '@outboxed/contracts';
import { exampleUserCreatedDetail } from '@outboxed/contracts/testing';
import { outboxEvent } from '@outboxed/outbox';
import { parseOutboxItem } from '@outboxed/outbox/testing';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TTL_ATTRIBUTE, userPartition } from './keys';
import { createUsersOutboxWriter } from './users-outbox';
import { UsersTable } from './users-table';

const NOW = new Date('2026-01-01T00:00:00.000Z');

interface SynthesizedTable {
  readonly KeySchema: readonly { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  readonly TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
}

function synthesizedTable(): SynthesizedTable {
  const stack = new Stack(new App(), 'Table');
  new UsersTable(stack, 'Users', { removalPolicy: RemovalPolicy.DESTROY });
  const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
  return (table as { Properties: SynthesizedTable }).Properties;
}

describe('UsersTable and the outbox writer', () => {
  it("one home per name: the outbox item the users writer builds is keyed by the synthesized table's KeySchema and expires by its TimeToLiveSpecification", () => {
    const table = synthesizedTable();
    const keyNamed = (type: 'HASH' | 'RANGE') =>
      table.KeySchema.find((key) => key.KeyType === type)?.AttributeName ?? '';
    const { data } = exampleUserCreatedDetail();
    const writer = createUsersOutboxWriter('users', { now: () => NOW, newEventId: () => '01EVENT1' });

    const [action] =
      writer.buildTransaction({
        events: [
          outboxEvent(userCreated, data, {
            aggregateType: 'User',
            aggregateId: data.userId,
            partitionKey: userPartition(data.userId),
            sequence: 1,
          }),
        ],
      }).input.TransactItems ?? [];

    const item = unmarshall(action?.Put?.Item ?? {});
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(item[keyNamed('HASH')]).toBe(userPartition(data.userId));
    expect(item[keyNamed('RANGE')]).toBe('OUTBOX#01EVENT1');
    expect(item[table.TimeToLiveSpecification.AttributeName]).toBe(NOW.getTime() / 1000 + 7 * 24 * 3600);
    expect(action?.Put?.ExpressionAttributeNames).toEqual({ '#pk': keyNamed('HASH') });
    // the relay's parser reads back what was written under these names
    const keys = { partitionKey: keyNamed('HASH'), sortKey: keyNamed('RANGE') };
    expect(parseOutboxItem(item, keys).ttl).toBe(item[table.TimeToLiveSpecification.AttributeName]);
  });
});
