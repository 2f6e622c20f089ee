import type { ConsumerExpectations } from '@outboxed/contracts';
import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE } from '@outboxed/contracts';

/**
 * What the email consumer relies on: UserCreated v1 and v2, of which it reads the event id, the
 * address and the name. The contracts check verifies it against the current schemas; the handler accepts exactly
 * these versions (`subscribedContracts(expectations)`).
 *
 * @example checkConsumerExpectations(expectations); // []
 */
export const expectations: ConsumerExpectations = {
  consumer: 'email-consumer',
  subscriptions: [
    {
      source: USERS_EVENT_SOURCE,
      detailType: USER_CREATED_DETAIL_TYPE,
      versions: [1, 2],
      reads: ['detail.metadata.id', 'detail.data.email', 'detail.data.name'],
    },
  ],
};
