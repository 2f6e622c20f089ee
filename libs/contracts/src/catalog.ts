import type { EventContract } from './contract.ts';
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
