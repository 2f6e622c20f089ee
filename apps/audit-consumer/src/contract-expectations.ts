import type { ConsumerExpectations } from '@outboxed/contracts';
import { USER_CREATED_DETAIL_TYPE, USERS_EVENT_SOURCE } from '@outboxed/contracts';

/**
 * What the audit consumer relies on: UserCreated v1 and v2, of which it reads the envelope's source and detail-type
 * and the event's metadata (never the user's data: the audit trail holds no email or name).
 *
 * @example checkConsumerExpectations(expectations); // []
 */
export const expectations: ConsumerExpectations = {
  consumer: 'audit-consumer',
  subscriptions: [
    {
      source: USERS_EVENT_SOURCE,
      detailType: USER_CREATED_DETAIL_TYPE,
      versions: [1, 2],
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
};
