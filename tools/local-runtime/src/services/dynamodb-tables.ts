import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput, DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import type { ProvisionRequest } from '../template/deploy';
import type { ResourceIdentity } from '../template/types';

type Props = Record<string, unknown>;

const throughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };

/**
 * Builds the CreateTable input for an `AWS::DynamoDB::Table` or `AWS::DynamoDB::GlobalTable` resource:
 * keys, attribute definitions, GSIs, LSIs and the stream view type as the template defines them.
 *
 * @example createTableInput('Users-Table-X', { KeySchema: [...], AttributeDefinitions: [...] })
 */
export function createTableInput(tableName: string, props: Props): CreateTableCommandInput {
  const payPerRequest = props.BillingMode === 'PAY_PER_REQUEST' || props.BillingMode === undefined;
  const index = (i: Props, global: boolean) => ({
    IndexName: i.IndexName as string,
    KeySchema: i.KeySchema as CreateTableCommandInput['KeySchema'],
    Projection: i.Projection as never,
    ...(global && !payPerRequest
      ? { ProvisionedThroughput: (i.ProvisionedThroughput as never) ?? throughput }
      : {}),
  });
  const gsis = (props.GlobalSecondaryIndexes as Props[] | undefined) ?? [];
  const lsis = (props.LocalSecondaryIndexes as Props[] | undefined) ?? [];
  const stream = props.StreamSpecification as { StreamViewType?: string } | undefined;
  return {
    TableName: tableName,
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    ...(payPerRequest
      ? { BillingMode: 'PAY_PER_REQUEST' }
      : {
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: (props.ProvisionedThroughput as never) ?? throughput,
        }),
    ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis.map((i) => index(i, true)) as never } : {}),
    ...(lsis.length > 0 ? { LocalSecondaryIndexes: lsis.map((i) => index(i, false)) as never } : {}),
    ...(stream?.StreamViewType
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType as never } }
      : {}),
  };
}

/**
 * The provisioner of DynamoDB tables: creates the table in DynamoDB Local unless it exists already (data persists
 * across restarts), enables TTL, and returns the table's real stream ARN.
 *
 * @example provisioners['AWS::DynamoDB::Table'] = tableProvisioner(client, (msg) => console.log(msg));
 */
export function tableProvisioner(client: DynamoDBClient, warn: (message: string) => void) {
  return async (request: ProvisionRequest): Promise<ResourceIdentity> => {
    const name = request.identity.ref;
    const input = createTableInput(name, request.properties);
    let table = await describe(client, name);
    if (table) {
      const same =
        JSON.stringify(table.KeySchema) === JSON.stringify(input.KeySchema) &&
        (table.StreamSpecification?.StreamViewType ?? null) ===
          (input.StreamSpecification?.StreamViewType ?? null);
      if (!same) {
        warn(
          `table ${name} (${request.plan.input.stackName}/${request.logicalId}) exists with other keys or stream settings ` +
            'than its template now defines: restart with --fresh to recreate it.',
        );
      }
    } else {
      table = (await client.send(new CreateTableCommand(input))).TableDescription;
    }
    const ttl = request.properties.TimeToLiveSpecification as
      { AttributeName?: string; Enabled?: boolean } | undefined;
    if (ttl?.AttributeName && ttl.Enabled !== false) {
      await client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
          }),
        )
        .catch(() => undefined); // already enabled on a persisted table
    }
    return {
      ref: name,
      attributes: {
        ...request.identity.attributes,
        ...(table?.LatestStreamArn ? { StreamArn: table.LatestStreamArn } : {}),
        TableId: table?.TableId ?? name,
      },
    };
  };
}

async function describe(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
