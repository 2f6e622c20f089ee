/**
 * Test helpers of @outboxed/contracts: for tests only, never for production code.
 *
 * @example import { exampleUserCreatedEvent, userCreatedNextMajor } from '@outboxed/contracts/testing';
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
