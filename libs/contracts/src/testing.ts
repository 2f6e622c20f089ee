/**
 * Test helpers of @outboxed/contracts: for tests only, never for production code. Example events (valid and
 * invalid), the next major of UserCreated, and `checkConsumerExpectations`, each consumer's contract test.
 *
 * @example
 * import { checkConsumerExpectations, exampleUserCreatedEvent } from '@outboxed/contracts/testing';
 *
 * expect(checkConsumerExpectations(expectations)).toEqual([]);
 */
export {
  exampleUserCreatedEvent,
  exampleUserCreatedDetail,
  exampleUserCreatedV1Event,
  invalidUserCreatedExamples,
  EXAMPLE_USER_ID,
  EXAMPLE_EVENT_ID,
} from './examples.ts';
export type { ExampleOverrides, InvalidExample } from './examples.ts';
export { userCreatedNextMajor } from './testing/next-major.ts';
export type { NextMajorDetail } from './testing/next-major.ts';
export { discoverConsumerPatterns } from './expectations/consumer-patterns.ts';
export type { ConsumerPattern } from './expectations/consumer-patterns.ts';
export { checkConsumerExpectations } from './expectations/expectations.ts';
export type { ExpectationViolation } from './expectations/expectations.ts';
