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
 * Looks a contract up through either shape; an unknown type (returned `undefined` or thrown) gives `undefined`.
 *
 * @example
 * const contract = resolveContract(eventCatalog, 'UserCreated', 1);
 */
export function resolveContract(
  contracts: ContractResolver | ContractCatalogLike,
  detailType: string,
  version: number,
): ResolvedContract | undefined {
  try {
    if ('find' in contracts && typeof contracts.find === 'function')
      return contracts.find(detailType, version);
    return (contracts as ContractCatalogLike).findContract(detailType, version);
  } catch {
    return undefined;
  }
}
