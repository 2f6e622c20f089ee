import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Powertools' attribute names, which the `EventConsumer` construct's idempotency table uses. */
const KEY = 'id';
const STATUS = 'status';
const IN_PROGRESS_EXPIRY = 'in_progress_expiration';

/**
 * Powertools' DynamoDB persistence layer, plus one question asked before it marks an event in progress: was there
 * an in-progress mark whose invocation died (its `in_progress_expiration`, the dead invocation's deadline, has
 * passed)? Powertools then retakes the mark silently and runs the effect again; this layer calls `onRetake` first
 * so the kit can log and count a possible duplicate. One consistent GetItem per record, only for consumers whose
 * effect is external (`externalEffect`).
 *
 * @example new WatchedPersistenceLayer({ tableName, awsSdkV3Client: client }, client, (key) => logger.warn('retaken', { key }));
 */
export class WatchedPersistenceLayer extends DynamoDBPersistenceLayer {
  constructor(
    config: { readonly tableName: string; readonly awsSdkV3Client: DynamoDBClient },
    private readonly reader: DynamoDBClient,
    private readonly onRetake: (idempotencyKey: string) => void,
  ) {
    super({ tableName: config.tableName, awsSdkV3Client: config.awsSdkV3Client });
    this.table = config.tableName;
  }

  private readonly table: string;

  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = await this.reader.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { [KEY]: { S: record.idempotencyKey } },
        ConsistentRead: true,
        ProjectionExpression: '#status, #expiry',
        ExpressionAttributeNames: { '#status': STATUS, '#expiry': IN_PROGRESS_EXPIRY },
      }),
    );
    const item = existing.Item;
    const deadMark =
      item?.[STATUS]?.S === 'INPROGRESS' &&
      item[IN_PROGRESS_EXPIRY]?.N !== undefined &&
      Number(item[IN_PROGRESS_EXPIRY].N) < Date.now();
    await super._putRecord(record);
    if (deadMark) this.onRetake(record.idempotencyKey);
  }
}
