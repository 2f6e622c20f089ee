// CDK face of @outboxed/outbox (imports aws-cdk-lib; handlers never import this file).
export { OutboxRelay, validateOutboxRelayProps } from './construct/outbox-relay';
export type { OutboxRelayProps } from './construct/outbox-relay';
export { OutboxRelayPropsError } from './construct/errors';
