import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { User } from '../../domain/user';
import { userKey } from '../../table/keys';

/** What {@link getUser} needs. */
export interface GetUserDeps {
  readonly dynamoDb: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
}

/**
 * Reads a user by id (strongly consistent, so a client reading right after its `POST` sees the user);
 * `undefined` when no user has this id.
 *
 * @example const user = await getUser('01ARZ3NDEKTSV4RRFFQ69G5FAV', { dynamoDb, tableName });
 */
export async function getUser(id: string, deps: GetUserDeps): Promise<User | undefined> {
  const result = await deps.dynamoDb.send(
    new GetItemCommand({ TableName: deps.tableName, Key: marshall(userKey(id)), ConsistentRead: true }),
  );
  if (result.Item === undefined) return undefined;
  const item = unmarshall(result.Item) as {
    userId: string;
    email: string;
    name: string;
    locale?: string;
    createdAt: string;
  };
  return {
    id: item.userId,
    email: item.email,
    name: item.name,
    ...(item.locale === undefined ? {} : { locale: item.locale }),
    createdAt: item.createdAt,
  };
}
