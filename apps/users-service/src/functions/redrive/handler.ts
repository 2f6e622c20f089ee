import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createTracer, traceInvocation } from '@outboxed/cdk-common/tracing';
import { createRedriveHandler } from '@outboxed/outbox';
import { usersContracts } from '../../domain/users-contracts';
import { TABLE_KEYS } from '../../table/keys';

// The function's trace (Tracing: Active; service POWERTOOLS_SERVICE_NAME, which OutboxRelay sets): one subsegment
// per invocation, every client's calls captured in it.
const tracer = createTracer();
const redrive = createRedriveHandler({
  contracts: usersContracts,
  // the table's key names, as its outbox writer and relay are told them
  keys: TABLE_KEYS,
  deps: {
    dynamodb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    streams: tracer.captureAWSv3Client(new DynamoDBStreamsClient({})),
    sqs: tracer.captureAWSv3Client(new SQSClient({})),
    eventBridge: tracer.captureAWSv3Client(new EventBridgeClient({})),
  },
});

/**
 * The users service's redrive function (deployed by `OutboxRelay` with `redrive: true`): republishes what the
 * relay's on-failure and poison queues hold, checking poison records against the users contracts first, so a
 * record fixed by hand is republished only once it is valid. Invoke it by hand, e.g. `{"dryRun": true}`.
 *
 * @example new OutboxRelay(this, 'Relay', { …, redrive: true, redriveEntry: join(import.meta.dirname, 'handler.ts') });
 */
export const handler: typeof redrive = (event, context) =>
  traceInvocation(tracer, 'redrive', () => redrive(event, context));
