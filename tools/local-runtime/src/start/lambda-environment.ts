import type { DynamoDbLocal } from '@outboxed/dynamodb-local';
import type { Edge } from '@outboxed/local-aws';

/**
 * The variables every worker gets on top of its function's environment: region, dummy credentials and the
 * `AWS_ENDPOINT_URL_*` variables that point the AWS SDK at DynamoDB Local and the edge.
 *
 * @example lambdaEnvironment(ddb, edge).AWS_ENDPOINT_URL_SQS // 'http://127.0.0.1:4566'
 */
export function lambdaEnvironment(
  ddb: Pick<DynamoDbLocal, 'endpoint'>,
  edge: Pick<Edge, 'endpoint'>,
): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: ddb.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: edge.endpoint,
    AWS_ENDPOINT_URL_SQS: edge.endpoint,
    AWS_ENDPOINT_URL_SESV2: edge.endpoint,
    AWS_ENDPOINT_URL_SCHEMAS: edge.endpoint,
    AWS_ENDPOINT_URL_SSM: edge.endpoint,
  };
}
