import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { subscribedContracts } from '@outboxed/consumer-kit';
import { eventPattern, type ConsumerExpectations, type ContractEventPattern } from '@outboxed/contracts';

/** A consumer's rule pattern, derived from the expectations it declares in its own app. */
export interface ConsumerPattern {
  readonly consumer: string;
  /** The app folder the expectations came from, e.g. `apps/email-consumer`. */
  readonly app: string;
  /** Schema versions it handles, per `<source> <detailType>`. */
  readonly versions: Readonly<Record<string, readonly number[]>>;
  /** The pattern its rule uses: `eventPattern(subscribedContracts(expectations))`, as the consumer kit builds it. */
  readonly pattern: ContractEventPattern;
}

/** The file each consumer declares its expectations in (`apps/<app>/src/contract-expectations.ts`). */
export const EXPECTATIONS_FILE = join('src', 'contract-expectations.ts');

/**
 * Reads every consumer's `apps/<app>/src/contract-expectations.ts` from disk and imports it by its computed path
 * (an app never imports another app by name), then derives each consumer's rule pattern the way the consumer
 * kit's construct does: `eventPattern(subscribedContracts(expectations))`. A consumer exporting its own
 * `eventPattern` (e.g. with a content filter) is taken at its word.
 *
 * @example const patterns = await discoverConsumerPatterns(workspaceRoot);
 */
export async function discoverConsumerPatterns(workspaceRoot: string): Promise<ConsumerPattern[]> {
  const appsDir = join(workspaceRoot, 'apps');
  const apps = (await readdir(appsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const found: ConsumerPattern[] = [];
  for (const app of apps.sort()) {
    const file = join(appsDir, app, EXPECTATIONS_FILE);
    if (!existsSync(file)) continue;
    const module = (await import(pathToFileURL(file).href)) as {
      expectations?: ConsumerExpectations;
      eventPattern?: ContractEventPattern;
    };
    const expectations = module.expectations;
    if (!expectations)
      throw new Error(
        `apps/${app}/${EXPECTATIONS_FILE} must export \`expectations\` (ConsumerExpectations).`,
      );
    // Exactly how the consumer kit builds a consumer's rule: eventPattern(subscribedContracts(expectations)).
    const contracts = subscribedContracts(expectations);
    const versions: Record<string, readonly number[]> = {};
    for (const subscription of expectations.subscriptions) {
      versions[`${subscription.source} ${subscription.detailType}`] = subscription.versions;
    }
    found.push({
      consumer: expectations.consumer,
      app: `apps/${app}`,
      versions,
      pattern: module.eventPattern ?? eventPattern(contracts),
    });
  }
  return found;
}
