import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchemasClient } from '@aws-sdk/client-schemas';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Edge } from './edge';

/**
 * Test helper (not exported from the package): real SDK v3 clients pointed at an edge.
 *
 * @example const { sqs } = clientsFor(edge);
 */
export function clientsFor(edge: Edge) {
  const config = {
    endpoint: edge.endpoint,
    region: edge.region,
    credentials: edge.credentials,
    maxAttempts: 1,
  };
  return {
    events: new EventBridgeClient(config),
    sqs: new SQSClient(config),
    ses: new SESv2Client(config),
    schemas: new SchemasClient(config),
    ssm: new SSMClient(config),
  };
}
