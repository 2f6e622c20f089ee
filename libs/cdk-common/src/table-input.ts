import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { Stack } from 'aws-cdk-lib';
import type { CfnTable, Table } from 'aws-cdk-lib/aws-dynamodb';

type KeySchema = readonly CfnTable.KeySchemaProperty[];
type Projection = CfnTable.ProjectionProperty;

const keySchemaOf = (keys: KeySchema) =>
  keys.map((k) => ({ AttributeName: k.attributeName, KeyType: k.keyType as 'HASH' | 'RANGE' }));
const projectionOf = (p: Projection) => ({
  ProjectionType: p.projectionType as 'ALL' | 'KEYS_ONLY' | 'INCLUDE' | undefined,
  ...(p.nonKeyAttributes ? { NonKeyAttributes: [...p.nonKeyAttributes] } : {}),
});

/**
 * The `CreateTable` input of a table as its construct defines it — key schema, attribute definitions, global and
 * local secondary indexes, stream — under `tableName`, on-demand: tests create the app's own tables in DynamoDB
 * Local from the construct itself, so a key or index added to the construct is in the test's table too. Reads the
 * construct's CloudFormation properties (resolved, no synthesis).
 *
 * @example await dynamoDb.send(new CreateTableCommand(createTableInputOf(stack.auditTrail.table, 'audit-1')));
 */
export function createTableInputOf(table: Table, tableName: string): CreateTableCommandInput {
  const cfn = table.node.defaultChild as CfnTable;
  const stack = Stack.of(table);
  const keySchema = stack.resolve(cfn.keySchema) as KeySchema;
  const attributes = stack.resolve(
    cfn.attributeDefinitions,
  ) as readonly CfnTable.AttributeDefinitionProperty[];
  const globalIndexes = (stack.resolve(cfn.globalSecondaryIndexes) ??
    []) as readonly CfnTable.GlobalSecondaryIndexProperty[];
  const localIndexes = (stack.resolve(cfn.localSecondaryIndexes) ??
    []) as readonly CfnTable.LocalSecondaryIndexProperty[];
  const stream = stack.resolve(cfn.streamSpecification) as CfnTable.StreamSpecificationProperty | undefined;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keySchemaOf(keySchema),
    AttributeDefinitions: attributes.map((a) => ({
      AttributeName: a.attributeName,
      AttributeType: a.attributeType as 'S' | 'N' | 'B',
    })),
    ...(globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: globalIndexes.map((i) => ({
            IndexName: i.indexName,
            KeySchema: keySchemaOf(i.keySchema as KeySchema),
            Projection: projectionOf(i.projection as Projection),
          })),
        }
      : {}),
    ...(localIndexes.length > 0
      ? {
          LocalSecondaryIndexes: localIndexes.map((i) => ({
            IndexName: i.indexName,
            KeySchema: keySchemaOf(i.keySchema as KeySchema),
            Projection: projectionOf(i.projection as Projection),
          })),
        }
      : {}),
    ...(stream?.streamViewType
      ? {
          StreamSpecification: {
            StreamEnabled: true,
            StreamViewType: stream.streamViewType as
              'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY',
          },
        }
      : {}),
  };
}
