import type { EventContract } from './contract.ts';
import { UnknownContractError } from './errors.ts';
import { generatedCatalog } from './generated/catalog.ts';

/**
 * Every contract of every event type (every major), every version, oldest first within a type: generated from the
 * schema files, so a new event type or major is its schema file plus `nx run contracts:codegen`.
 *
 * @example eventCatalog.map((c) => `${c.schemaName} v${c.version}`);
 */
export const eventCatalog: readonly EventContract[] = generatedCatalog;

/**
 * The contract of `detailType` at `version` (and `source`, when several sources share a detail-type), or
 * `undefined` when none exists.
 *
 * @example const contract = findContract(event['detail-type'], event.detail.metadata.version);
 */
export function findContract(
  detailType: string,
  version: number,
  source?: string,
): EventContract | undefined {
  return eventCatalog.find(
    (c) =>
      c.detailType === detailType && c.version === version && (source === undefined || c.source === source),
  );
}

/**
 * Like `findContract`, but throws `UnknownContractError` naming what exists when there is no such contract.
 *
 * @example const contract = requireContract('UserCreated', 2);
 */
export function requireContract(detailType: string, version: number, source?: string): EventContract {
  const contract = findContract(detailType, version, source);
  if (contract) return contract;
  const known = eventCatalog.map((c) => `${c.source} ${c.detailType} v${c.version}`).join(', ');
  throw new UnknownContractError(
    `No contract for detail-type "${detailType}" version ${version}${source ? ` from source "${source}"` : ''}. Known: ${known}. Upgrade @outboxed/contracts or fix the event.`,
  );
}
