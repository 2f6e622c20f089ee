import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from './keys';

/**
 * The `CreateTable` input of the users table as {@link UsersTable} defines it (keys, on-demand, `NEW_IMAGE`
 * stream), for tests and tools that create it in DynamoDB Local. The stack test asserts the synthesized
 * template declares the same keys and stream.
 *
 * @example await dynamoDb.send(new CreateTableCommand(usersTableCreateInput('users-test')));
 */
export function usersTableCreateInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}
