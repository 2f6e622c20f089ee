import {
  discoverExpectations,
  eventPattern,
  type AnyContract,
  type ContractEventPattern,
} from '@outboxed/contracts';

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
 * Every consumer's expectations (found by `@outboxed/contracts`' `discoverExpectations`, the same discovery the
 * contracts check uses), each with the rule pattern the consumer kit's construct derives from them.
 *
 * @example const patterns = await discoverConsumerPatterns(workspaceRoot);
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
