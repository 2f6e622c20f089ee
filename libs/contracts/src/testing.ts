/**
 * Test helpers of @outboxed/contracts: for tests only, never for production code.
 *
 * @example import { userCreatedNextMajor } from '@outboxed/contracts/testing';
 */
export { userCreatedNextMajor } from './testing/next-major.ts';
export type { NextMajorDetail } from './testing/next-major.ts';
export { discoverConsumerPatterns } from './expectations/consumer-patterns.ts';
export type { ConsumerPattern } from './expectations/consumer-patterns.ts';
