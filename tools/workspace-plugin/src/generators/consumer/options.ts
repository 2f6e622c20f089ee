import type { Tree } from '@nx/devkit';
import { getProjects, names } from '@nx/devkit';
import { compileEventPattern } from '@outboxed/local-aws';
import {
  ConsumerExistsError,
  DuplicateEventTypeError,
  InvalidConsumerNameError,
  InvalidFilterError,
  UnknownEventTypeError,
  UnknownEventVersionError,
} from '../../errors';
import type { ConsumerGeneratorSchema } from './schema';

/**
 * What the generator needs to know of one contract in `eventCatalog`.
 *
 * @example { detailType: 'UserCreated', version: 2, source: 'outboxed.users', exportName: 'userCreatedV2', exampleName: 'exampleUserCreatedEvent' }
 */
export interface CatalogEntry {
  readonly detailType: string;
  readonly version: number;
  /** EventBridge `Source` of the event. */
  readonly source: string;
  /** The name `@outboxed/contracts` exports this contract version under, e.g. `userCreatedV2`. */
  readonly exportName: string;
  /** The example-event factory of this version in `@outboxed/contracts/testing`, e.g. `exampleUserCreatedEvent`. */
  readonly exampleName: string;
}

/**
 * One event subscription of the new consumer: a contract version from the catalog.
 *
 * @example const [first]: Subscription[] = parseSubscriptions('UserCreated', contractCatalog());
 */
export type Subscription = CatalogEntry;

/**
 * The generator's options once validated: everything the templates use.
 *
 * @example normalizeOptions(tree, { name: 'billing', events: 'UserCreated' }, contractCatalog()).projectRoot; // 'apps/billing-consumer'
 */
export interface NormalizedConsumerOptions {
  /** The consumer's name without the suffix, e.g. `billing`. */
  readonly name: string;
  /** The Nx project and folder name, e.g. `billing-consumer`. */
  readonly projectName: string;
  /** e.g. `apps/billing-consumer`. */
  readonly projectRoot: string;
  /** The npm workspace package, e.g. `@outboxed/billing-consumer`. */
  readonly packageName: string;
  /** PascalCase name, e.g. `Billing`: the stack is `<className>Consumer`. */
  readonly className: string;
  /** camelCase name, e.g. `billing`. */
  readonly propertyName: string;
  readonly subscriptions: readonly Subscription[];
  /** The content filter on the event's `detail`, if any. */
  readonly filter: Readonly<Record<string, unknown>> | undefined;
}

const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const SUFFIX = '-consumer';
/**
 * The longest consumer name accepted: keeps the stack, function and queue names CDK derives from it well inside
 * AWS's limits.
 *
 * @example if (name.length > MAX_NAME_LENGTH) throw …;
 */
export const MAX_NAME_LENGTH = 32;

/**
 * Validates the consumer's name and returns it without a `-consumer` suffix (`billing-consumer` → `billing`).
 *
 * @example consumerBaseName('billing'); // 'billing'
 */
export function consumerBaseName(received: string): string {
  const name = received.trim();
  if (name === '') throw new InvalidConsumerNameError(received, 'it is empty');
  if (!KEBAB_CASE.test(name)) {
    throw new InvalidConsumerNameError(
      received,
      'it must be kebab-case: lower-case letters and digits in words joined by single hyphens, starting with a letter',
    );
  }
  const base = name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : name;
  if (base === '' || base === 'consumer' || base.endsWith(SUFFIX)) {
    throw new InvalidConsumerNameError(received, 'it is only, or twice, the "-consumer" suffix');
  }
  if (base.length > MAX_NAME_LENGTH) {
    throw new InvalidConsumerNameError(
      received,
      `it is ${base.length} characters long; at most ${MAX_NAME_LENGTH}`,
    );
  }
  return base;
}

/**
 * Resolves `--events` (`UserCreated`, `UserCreated@1`, comma-separated) against the contracts' catalog: a bare
 * DetailType means its latest version. Duplicates collapse; order is kept. One event type is read as one version
 * (the consumer receives every compatible version of it), so two versions of one type are refused. An unknown event type throws
 * {@link UnknownEventTypeError}; a known type at an unknown version, {@link UnknownEventVersionError}.
 *
 * @example parseSubscriptions('UserCreated', contractCatalog()); // [{ detailType: 'UserCreated', version: 2, … }]
 */
export function parseSubscriptions(received: string, catalog: readonly CatalogEntry[]): Subscription[] {
  const known = catalog.map((c) => `${c.detailType}@${c.version}`);
  const items = received
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UnknownEventTypeError(received, known);
  const subscriptions: Subscription[] = [];
  for (const item of items) {
    const match = /^([A-Za-z][A-Za-z0-9]*)(?:@(\d+))?$/.exec(item);
    const versions = catalog.filter((c) => c.detailType === match?.[1]);
    const wanted = match?.[2] === undefined ? Math.max(...versions.map((c) => c.version)) : Number(match[2]);
    if (!match || versions.length === 0) throw new UnknownEventTypeError(item, known);
    const entry = versions.find((c) => c.version === wanted);
    if (!entry) {
      throw new UnknownEventVersionError(
        item,
        match[1] as string,
        wanted,
        versions.map((c) => c.version),
      );
    }
    const sameType = subscriptions.find(
      (s) => s.source === entry.source && s.detailType === entry.detailType && s !== entry,
    );
    if (sameType)
      throw new DuplicateEventTypeError(received, entry.detailType, [sameType.version, entry.version]);
    if (!subscriptions.includes(entry)) subscriptions.push(entry);
  }
  return subscriptions;
}

function checkPattern(value: unknown, path: string, received: string): void {
  if (Array.isArray(value)) {
    if (value.length === 0)
      throw new InvalidFilterError(received, `${path} is an empty array (it would match nothing)`);
    return;
  }
  if (value === null || typeof value !== 'object') {
    throw new InvalidFilterError(
      received,
      `${path} is ${JSON.stringify(value)}, not an array of values or an object`,
    );
  }
  const entries = Object.entries(value);
  if (entries.length === 0) throw new InvalidFilterError(received, `${path} is an empty object`);
  for (const [key, child] of entries) checkPattern(child, `${path}.${key}`, received);
}

/**
 * Parses `--filter`: a JSON object applied to the event's `detail` whose every leaf is a non-empty array, and
 * whose operators EventBridge accepts (checked with the EventBridge pattern compiler of `@outboxed/local-aws`,
 * which follows AWS's rules). The rule's source and detail-type come from the contracts, so the filter cannot
 * widen the subscription.
 *
 * @example parseFilter('{"data":{"email":[{"suffix":"@example.com"}]}}');
 */
export function parseFilter(received: string | undefined): Record<string, unknown> | undefined {
  if (received === undefined || received.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(received);
  } catch (error) {
    throw new InvalidFilterError(received, `it is not JSON (${(error as Error).message})`, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidFilterError(received, 'it is not a JSON object');
  }
  checkPattern(parsed, 'detail', received);
  try {
    compileEventPattern(JSON.stringify({ detail: parsed }));
  } catch (error) {
    throw new InvalidFilterError(received, `EventBridge would reject it (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parsed as Record<string, unknown>;
}

/**
 * Validates every option before anything is written: the name, that neither the project nor its folder exists,
 * the event types and the filter.
 *
 * @example const options = normalizeOptions(tree, { name: 'billing', events: 'UserCreated' }, contractCatalog());
 */
export function normalizeOptions(
  tree: Tree,
  schema: ConsumerGeneratorSchema,
  catalog: readonly CatalogEntry[],
): NormalizedConsumerOptions {
  const name = consumerBaseName(String(schema.name ?? ''));
  const projectName = `${name}${SUFFIX}`;
  const projectRoot = `apps/${projectName}`;
  if (getProjects(tree).has(projectName) || tree.exists(projectRoot)) {
    throw new ConsumerExistsError(projectName, projectRoot);
  }
  const subscriptions = parseSubscriptions(String(schema.events ?? ''), catalog);
  const filter = parseFilter(schema.filter);
  const { className, propertyName } = names(name);
  return {
    name,
    projectName,
    projectRoot,
    packageName: `@outboxed/${projectName}`,
    className,
    propertyName,
    subscriptions,
    filter,
  };
}
