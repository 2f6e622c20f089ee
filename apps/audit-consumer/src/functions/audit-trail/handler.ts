import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createTracer } from '@outboxed/cdk-common/tracing';
import type { ConsumerHandler, ConsumerHandlerDeps } from '@outboxed/consumer-kit';
import { ConsumerConfigurationError, createConsumerHandler } from '@outboxed/consumer-kit';
import { expectations } from '../../contract-expectations';
import { AUDIT_ENV } from '../../environment';
import { auditRecordOf } from './audit-record';

/**
 * Side effects of the audit handler: the kit's, plus the audit table's client and a clock.
 *
 * @example createAuditTrailHandler({ auditTable: DynamoDBDocumentClient.from(client), now: () => fixedDate });
 */
export interface AuditTrailDeps extends ConsumerHandlerDeps {
  /** @default DynamoDBDocumentClient.from(new DynamoDBClient({})), the client captured by the tracer */
  readonly auditTable?: DynamoDBDocumentClient;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * The audit consumer's handler: appends one audit record per event with a conditional put
 * (`attribute_not_exists(pk)`), so the same event is never recorded twice — even after its idempotency record has
 * expired (a replay of the archive). A refused put means "already recorded" and counts as done.
 *
 * @example export const handler = createAuditTrailHandler({ auditTable: DynamoDBDocumentClient.from(client) });
 */
export function createAuditTrailHandler(deps: AuditTrailDeps = {}): ConsumerHandler {
  // one tracer for the function: the kit's segments and clients, and the audit table's client
  const tracer = deps.tracer ?? createTracer({ serviceName: expectations.consumer });
  const auditTable =
    deps.auditTable ?? DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));
  const env = deps.env ?? process.env;
  const now = deps.now ?? (() => new Date());
  return createConsumerHandler(
    {
      expectations,
      handle: async (event) => {
        const tableName = env[AUDIT_ENV.auditTableName];
        if (!tableName)
          throw new ConsumerConfigurationError(AUDIT_ENV.auditTableName, tableName, 'a table name');
        const record = auditRecordOf(event, now());
        try {
          await auditTable.send(
            new PutCommand({
              TableName: tableName,
              Item: record,
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          return { recorded: true };
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) return { recorded: false };
          throw error;
        }
      },
    },
    { ...deps, tracer },
  );
}

/**
 * The Lambda entry point.
 *
 * @example new NodejsFunction(this, 'Fn', { ...nodeFunctionDefaults(), entry: join(import.meta.dirname, 'handler.ts') });
 */
export const handler = createAuditTrailHandler();
