import { eventCatalog } from '@outboxed/contracts';
import type { CatalogEntry } from './options';

/**
 * Every event type and version the contracts define (`eventCatalog` of `@outboxed/contracts`): what `--events`
 * may name.
 *
 * @example contractCatalog(); // [{ detailType: 'UserCreated', version: 1 }, { detailType: 'UserCreated', version: 2 }]
 */
export function contractCatalog(): CatalogEntry[] {
  return eventCatalog.map(({ detailType, version }) => ({ detailType, version }));
}
