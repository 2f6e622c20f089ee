import type { ConsumerExpectations, EventContract } from '@outboxed/contracts';
import { requireContract } from '@outboxed/contracts';

/**
 * The contracts a consumer handles, read from its expectations file: every version of every subscription, so the
 * handler accepts exactly what the contracts check verifies. Throws `UnknownContractError` for a version the
 * contracts library does not define.
 *
 * @example createConsumerHandler({ name: 'audit-consumer', contracts: subscribedContracts(expectations), handle });
 */
export function subscribedContracts(expectations: ConsumerExpectations): readonly EventContract[] {
  return expectations.subscriptions.flatMap((s) =>
    s.versions.map((version) => requireContract(s.detailType, version, s.source)),
  );
}
