import type { ConsumerExpectations } from '@outboxed/contracts';
import {
  USER_CREATED_DETAIL_TYPE,
  USERS_EVENT_SOURCE,
  userCreatedV1,
  userCreatedV2,
} from '@outboxed/contracts';
import { describe, expect, it } from 'vitest';
import { subscribedContracts } from './subscribed-contracts';

const expectationsFor = (versions: number[]): ConsumerExpectations => ({
  consumer: 'test-consumer',
  subscriptions: [{ source: USERS_EVENT_SOURCE, detailType: USER_CREATED_DETAIL_TYPE, versions, reads: [] }],
});

describe('subscribedContracts', () => {
  it('returns the contract of every subscribed version', () => {
    expect(subscribedContracts(expectationsFor([1, 2]))).toEqual([userCreatedV1, userCreatedV2]);
  });

  it('fails naming the version when the contracts library does not define it', () => {
    expect(() => subscribedContracts(expectationsFor([9]))).toThrow(
      'No contract for detail-type "UserCreated" version 9 from source "outboxed.users"',
    );
  });
});
