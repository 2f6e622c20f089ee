import { defineExpectations, userCreatedV1 } from '@outboxed/contracts';

/**
 * What the email consumer relies on: UserCreated, read as v1 (so it receives every version of it: later compatible
 * ones need no change here), of which it reads the event id, the address and the name. The contracts check verifies
 * it against every version; the consumer kit derives the rule pattern, the validation and the handler's event type
 * from it.
 *
 * @example checkConsumerExpectations(expectations); // []
 */
export const expectations = defineExpectations({
  consumer: 'email-consumer',
  subscriptions: [
    {
      contract: userCreatedV1,
      reads: ['detail.metadata.id', 'detail.data.email', 'detail.data.name'],
    },
  ],
});
