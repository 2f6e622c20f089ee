import type { EventContract } from '../contract.ts';
import type { ContractEventPattern } from '../event-pattern.ts';

/**
 * One event type at one version.
 *
 * @example { source: 'outboxed.users', detailType: 'UserCreated', version: 2 }
 */
export interface CatalogEvent {
  readonly source: string;
  readonly detailType: string;
  readonly version: number;
}

/**
 * One registry schema version (an `EventContract` fits): the catalog's messages.
 *
 * @example { source: 'outboxed.users', detailType: 'UserCreated', version: 1, schemaName: 'outboxed.users@UserCreated', schema }
 */
export type CatalogContract = Pick<
  EventContract,
  'source' | 'detailType' | 'version' | 'schemaName' | 'schema'
>;

/**
 * A producer app and the event versions it writes, from its `contract-publications.ts`.
 *
 * @example { project: 'users-service', file: 'apps/users-service/src/contract-publications.ts', publishes: [{ source, detailType, version: 2 }] }
 */
export interface CatalogProducer {
  readonly project: string;
  /** The declaring file, relative to the workspace root. */
  readonly file: string;
  readonly publishes: readonly CatalogEvent[];
}

/**
 * One event type a consumer subscribes to: the version it reads it as, and the fields it relies on.
 *
 * @example { event: { source, detailType: 'UserCreated', version: 1 }, reads: ['detail.data.email'], readsIfPresent: [] }
 */
export interface CatalogSubscription {
  /** The version the consumer reads every version of this event type as. */
  readonly event: CatalogEvent;
  readonly reads: readonly string[];
  readonly readsIfPresent: readonly string[];
}

/**
 * A consumer app: its subscriptions (from its `contract-expectations.ts`) and the pattern of its rule on the bus
 * (`eventPattern` of its subscriptions' contracts, as the consumer kit builds it).
 *
 * @example { project: 'email-consumer', file, subscriptions: [sub], rulePattern: { source: ['outboxed.users'], 'detail-type': ['UserCreated'] } }
 */
export interface CatalogConsumer {
  readonly project: string;
  /** The declaring file, relative to the workspace root. */
  readonly file: string;
  readonly subscriptions: readonly CatalogSubscription[];
  readonly rulePattern: ContractEventPattern;
}

/**
 * The bus every event travels on, and where its deploy-time names are published.
 *
 * @example { owner: 'users-service', registryName: 'outboxed-users', parameters: USERS_SERVICE_PARAMETERS }
 */
export interface CatalogBus {
  /** The app that owns the bus and its schema registry. */
  readonly owner: string;
  /** The EventBridge schema registry holding the contracts' schemas. */
  readonly registryName: string;
  /** SSM parameter names under which the owner publishes the bus name and ARN and the registry name. */
  readonly parameters: {
    readonly eventBusName: string;
    readonly eventBusArn: string;
    readonly schemaRegistryName: string;
  };
}

/**
 * Everything the catalog is generated from. The generator takes this, not the workspace, so tests pass fixtures;
 * `readCatalogInput` builds it from the contracts and the apps' declarations.
 *
 * @example const document = buildAsyncApiDocument({ title, version, bus, contracts, producers, consumers });
 */
export interface CatalogInput {
  readonly title: string;
  /** The catalog's version (`info.version`), e.g. the contracts package version. */
  readonly version: string;
  readonly bus: CatalogBus;
  readonly contracts: readonly CatalogContract[];
  readonly producers: readonly CatalogProducer[];
  readonly consumers: readonly CatalogConsumer[];
}

/**
 * `source`, `detailType` and `version` as one comparable string.
 *
 * @example eventKey({ source: 'outboxed.users', detailType: 'UserCreated', version: 1 }); // 'outboxed.users UserCreated v1'
 */
export function eventKey(event: CatalogEvent): string {
  return `${event.source} ${event.detailType} v${event.version}`;
}

/**
 * Orders events by source, then detail-type, then version (numerically).
 *
 * @example events.toSorted(compareEvents);
 */
export function compareEvents(a: CatalogEvent, b: CatalogEvent): number {
  return compareText(a.source, b.source) || compareText(a.detailType, b.detailType) || a.version - b.version;
}

/**
 * Code-point order (not locale order), so output is the same on every machine.
 *
 * @example ['b', 'a'].sort(compareText);
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Where a contract's schema file lives, relative to the workspace root (named in errors).
 *
 * @example schemaFile({ schemaName: 'outboxed.users@UserCreated', version: 1 }); // 'libs/contracts/schemas/outboxed.users@UserCreated/v1.json'
 */
export function schemaFile(contract: Pick<CatalogContract, 'schemaName' | 'version'>): string {
  return `libs/contracts/schemas/${contract.schemaName}/v${contract.version}.json`;
}
