import { defineExpectations, userCreatedV1 } from '@outboxed/contracts';

/**
 * What the audit consumer relies on: UserCreated, read as v1 (so it receives every version of it: later compatible
 * ones need no change here), of which it reads the envelope's source and detail-type and the event's metadata
 * (never the user's data: the audit trail holds no email or name). The contracts check verifies it against every
 * version; the consumer kit derives the rule pattern, the validation and the handler's event type from it.
 *
 * @example checkConsumerExpectations(expectations); // []
 */
export const expectations = defineExpectations({
  consumer: 'audit-consumer',
  subscriptions: [
    {
      contract: userCreatedV1,
      reads: [
        'source',
        'detail-type',
        'detail.metadata.id',
        'detail.metadata.version',
        'detail.metadata.occurredAt',
        'detail.metadata.aggregateId',
        'detail.metadata.sequence',
        'detail.metadata.correlationId',
      ],
    },
  ],
});
