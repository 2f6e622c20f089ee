import type { EventContract } from './contract.ts';

/**
 * An EventBridge rule event pattern (the subset derived from contracts).
 *
 * @example { source: ['outboxed.users'], 'detail-type': ['UserCreated'] }
 */
export interface ContractEventPattern {
  readonly source: string[];
  readonly 'detail-type': string[];
  readonly detail?: Record<string, unknown>;
}

/**
 * The event pattern matching the given contracts' sources and detail-types (deduplicated, in first-seen order),
 * with an optional content filter on `detail`. It matches every version of each event type and no other detail-type:
 * versions of one detail-type are mutually readable (`CONTRACT_EVOLUTION_RULE`), so a consumer reads them all as its
 * own version; a breaking change is a new detail-type (`<Name>V<N>`), which this pattern does not match.
 *
 * @example new Rule(this, 'Rule', { eventBus, eventPattern: eventPattern([userCreated]) });
 */
export function eventPattern(
  contracts: readonly EventContract[],
  contentFilter?: Record<string, unknown>,
): ContractEventPattern {
  if (contracts.length === 0) throw new TypeError('eventPattern needs at least one contract.');
  const unique = (values: string[]) => [...new Set(values)];
  return {
    source: unique(contracts.map((c) => c.source)),
    'detail-type': unique(contracts.map((c) => c.detailType)),
    ...(contentFilter ? { detail: contentFilter } : {}),
  };
}
