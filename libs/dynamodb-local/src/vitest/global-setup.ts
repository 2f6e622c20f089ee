import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../start-dynamodb-local';
import { SHARED_DYNAMODB_LOCAL_KEY } from './provided-context';

/**
 * Vitest's global setup, `@outboxed/dynamodb-local/vitest-setup`: starts one DynamoDB Local (in memory, the real jar)
 * before the first test file, hands its endpoint to every test file of the run through `provide` (tests take it with
 * `sharedDynamoDbLocal()` from `@outboxed/dynamodb-local/vitest`), and stops it after the last one. Only projects
 * whose tests need DynamoDB Local list it, so no other run pays for a JVM.
 *
 * @example
 * // vitest.config.ts
 * export default mergeConfig(baseConfig, { test: { globalSetup: ['@outboxed/dynamodb-local/vitest-setup'] } });
 */
export default async function setupSharedDynamoDbLocal(
  project: Pick<TestProject, 'provide'>,
): Promise<() => Promise<void>> {
  const ddb = await startDynamoDbLocal();
  project.provide(SHARED_DYNAMODB_LOCAL_KEY, ddb.endpoint);
  return () => ddb.stop();
}
