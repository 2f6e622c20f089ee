import { eventPattern, type ContractEventPattern } from '../event-pattern.ts';
import type { AnyContract } from './expectations.ts';
import { discoverExpectations } from './discover.ts';

/** A consumer's rule pattern and reader versions, derived from the expectations it declares in its own app. */
export interface ConsumerPattern {
  readonly consumer: string;
  /** The file the expectations came from, e.g. `apps/email-consumer/src/contract-expectations.ts`. */
  readonly file: string;
  /** The version it reads each event type as, per `<source> <detailType>`. */
  readonly readers: Readonly<Record<string, AnyContract>>;
  /** The pattern its rule uses, as the consumer kit's construct builds it from the expectations. */
  readonly pattern: ContractEventPattern;
}

/**
 * Every consumer's expectations (found by {@link discoverExpectations}, the same discovery the contracts check
 * uses), each with the rule pattern the consumer kit's construct derives from them: what a producer's test reads
 * to prove its events reach each consumer.
 *
 * @example const patterns = await discoverConsumerPatterns(findWorkspaceRoot());
 */
export async function discoverConsumerPatterns(workspaceRoot: string): Promise<ConsumerPattern[]> {
  return (await discoverExpectations(workspaceRoot)).map(({ file, expectations }) => {
    const contracts = expectations.subscriptions.map((s) => s.contract);
    return {
      consumer: expectations.consumer,
      file,
      readers: Object.fromEntries(contracts.map((c) => [`${c.source} ${c.detailType}`, c])),
      pattern: eventPattern(contracts),
    };
  });
}
