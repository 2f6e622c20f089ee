/**
 * One violation of an event contract (`@outboxed/contracts`' `ContractViolation` has this shape).
 *
 * @example
 * const violation: ContractViolationLike = { path: 'detail.data.email', message: 'must match format "email"' };
 */
export interface ContractViolationLike {
  readonly path: string;
  readonly message: string;
}

/**
 * What the relay needs of one event contract: its EventBridge source and a validator of the `detail`.
 *
 * @example
 * const contract: ResolvedContract = userCreatedV1; // from @outboxed/contracts
 */
export interface ResolvedContract {
  readonly source: string;
  /** Every violation of the detail schema; empty when valid. */
  validateDetail(detail: unknown): readonly ContractViolationLike[];
}

/**
 * Finds the contract of an event type and version, `undefined` when unknown. The relay depends on this
 * interface only, never on `@outboxed/contracts`; its `eventCatalog` satisfies it structurally.
 *
 * @example
 * const resolver: ContractResolver = { find: (type, version) => (type === 'UserCreated' && version === 1 ? userCreatedV1 : undefined) };
 */
export interface ContractResolver {
  find(detailType: string, version: number): ResolvedContract | undefined;
}

/**
 * The other catalog shape the relay accepts: `findContract` that returns the contract, or `undefined` or throws
 * when the event type or version is unknown.
 *
 * @example
 * createRelayHandler({ contracts: { findContract: (t, v) => catalog.get(`${t}@${v}`) } });
 */
export interface ContractCatalogLike {
  findContract(detailType: string, version: number): ResolvedContract | undefined;
}

/**
 * A catalog entry that names its detail-type and version (`@outboxed/contracts`' `EventContract` fits), so an
 * array of them, such as `eventCatalog`, is a catalog.
 *
 * @example
 * createRelayHandler({ contracts: eventCatalog });
 */
export interface CatalogContract extends ResolvedContract {
  readonly detailType: string;
  readonly version: number;
}

/**
 * Every shape the relay takes for its contracts: a {@link ContractResolver}, an object with `findContract`, a
 * bare `findContract(detailType, version)` function, or an array of {@link CatalogContract} (`eventCatalog`).
 *
 * @example
 * const contracts: ContractSource = eventCatalog; // or findContract, or { find: … }
 */
export type ContractSource =
  | ContractResolver
  | ContractCatalogLike
  | readonly CatalogContract[]
  | ((detailType: string, version: number) => ResolvedContract | undefined);

/**
 * Looks a contract up through any {@link ContractSource}; an unknown type (returned `undefined` or thrown) gives
 * `undefined`. An array is searched by `detailType` and `version` (never through `Array.prototype.find`'s
 * predicate signature).
 *
 * @example
 * const contract = resolveContract(eventCatalog, 'UserCreated', 1);
 */
export function resolveContract(
  contracts: ContractSource,
  detailType: string,
  version: number,
): ResolvedContract | undefined {
  try {
    if (Array.isArray(contracts)) {
      return (contracts as readonly CatalogContract[]).find(
        (c) => c.detailType === detailType && c.version === version,
      );
    }
    if (typeof contracts === 'function') return contracts(detailType, version);
    if ('findContract' in contracts && typeof contracts.findContract === 'function') {
      return contracts.findContract(detailType, version);
    }
    return (contracts as ContractResolver).find(detailType, version);
  } catch {
    return undefined;
  }
}
