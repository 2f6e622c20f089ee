import { eventCatalog } from '../catalog.ts';
import type { EventContract } from '../contract.ts';
import type { JsonSchema } from '../validation.ts';

/**
 * One event type a consumer subscribes to: which versions it handles and which fields it reads.
 *
 * @example { source: USERS_EVENT_SOURCE, detailType: USER_CREATED_DETAIL_TYPE, versions: [1, 2], reads: ['detail.data.email'] }
 */
export interface ConsumerSubscription {
  readonly source: string;
  readonly detailType: string;
  /** Schema versions the consumer handles. */
  readonly versions: readonly number[];
  /** Dotted JSON paths from the event root the consumer reads, e.g. `detail.data.email`. */
  readonly reads: readonly string[];
}

/**
 * What a consumer relies on, declared in its own app (`apps/<app>/src/contract-expectations.ts`, exporting
 * `expectations`). The contracts `check` target verifies every declaration against the current schemas, so a
 * producer change that breaks a consumer fails the producer's build.
 *
 * @example
 * export const expectations: ConsumerExpectations = {
 *   consumer: 'email-consumer',
 *   subscriptions: [{ source: USERS_EVENT_SOURCE, detailType: USER_CREATED_DETAIL_TYPE, versions: [1, 2], reads: ['detail.data.email'] }],
 * };
 */
export interface ConsumerExpectations {
  readonly consumer: string;
  readonly subscriptions: readonly ConsumerSubscription[];
}

/**
 * One broken expectation, naming the consumer, event, version and field.
 *
 * @example { consumer: 'email-consumer', detailType: 'UserCreated', version: 3, field: 'detail.data.email', message: '…' }
 */
export interface ExpectationViolation {
  readonly consumer: string;
  readonly detailType: string;
  readonly version: number;
  readonly field?: string;
  readonly message: string;
}

/**
 * What the check needs of a contract: its identity and schema (an `EventContract` fits).
 *
 * @example checkConsumerExpectations(expectations, [{ source, detailType, version: 3, schema }]);
 */
export type SchemaEntry = Pick<EventContract, 'source' | 'detailType' | 'version' | 'schema'>;

/**
 * Checks a consumer's expectations against `catalog`: every subscribed version exists, every field it reads exists
 * in each subscribed version, and in the latest version (what the producer emits now) every field it reads still
 * exists and stays required where it was required in a subscribed version.
 *
 * @example expect(checkConsumerExpectations(expectations)).toEqual([]);
 */
export function checkConsumerExpectations(
  expectations: ConsumerExpectations,
  catalog: readonly SchemaEntry[] = eventCatalog,
): ExpectationViolation[] {
  const violations: ExpectationViolation[] = [];
  for (const subscription of expectations.subscriptions) {
    const { source, detailType } = subscription;
    const versions = catalog
      .filter((c) => c.source === source && c.detailType === detailType)
      .sort((a, b) => a.version - b.version);
    const latest = versions[versions.length - 1];
    const base = { consumer: expectations.consumer, detailType };
    if (!latest) {
      violations.push({
        ...base,
        version: subscription.versions[0] ?? 0,
        message: `subscribes to ${detailType} from ${source}, which no contract defines (known: ${[...new Set(catalog.map((c) => `${c.source} ${c.detailType}`))].join(', ')}).`,
      });
      continue;
    }
    for (const version of subscription.versions) {
      const contract = versions.find((c) => c.version === version);
      if (!contract) {
        violations.push({
          ...base,
          version,
          message: `subscribes to ${detailType} v${version}, which does not exist (versions: ${versions.map((c) => c.version).join(', ')}).`,
        });
        continue;
      }
      for (const field of subscription.reads) {
        const found = lookUp(contract.schema, field);
        if (!found) {
          violations.push({
            ...base,
            version,
            field,
            message: `reads ${field}, which ${detailType} v${version} does not define.`,
          });
          continue;
        }
        if (latest.version === version) continue;
        const now = lookUp(latest.schema, field);
        if (!now) {
          violations.push({
            ...base,
            version: latest.version,
            field,
            message: `reads ${field} (defined in v${version}), which the latest ${detailType} v${latest.version}, emitted by the producer, removed.`,
          });
        } else if (found.required && !now.required) {
          violations.push({
            ...base,
            version: latest.version,
            field,
            message: `reads ${field}, required in v${version} but optional in the latest ${detailType} v${latest.version}: events may now lack it.`,
          });
        }
      }
    }
  }
  return violations;
}

/** Where a dotted path leads in a schema, and whether every step on the way is required. */
function lookUp(schema: JsonSchema, path: string): { required: boolean } | undefined {
  let node: JsonSchema | undefined = schema;
  let required = true;
  for (const segment of path.split('.').flatMap((s) => s.split(/(?=\[)/))) {
    node = deref(schema, node);
    if (!node) return undefined;
    if (segment.startsWith('[')) {
      const items: unknown = node['items'];
      if (!items || typeof items !== 'object' || Array.isArray(items)) return undefined;
      node = items as JsonSchema;
      required = false;
      continue;
    }
    const properties = node['properties'] as Record<string, JsonSchema> | undefined;
    const next = properties?.[segment];
    if (!next) return undefined;
    const requiredList = Array.isArray(node['required']) ? (node['required'] as string[]) : [];
    required = required && requiredList.includes(segment);
    node = next;
  }
  return deref(schema, node) ? { required } : undefined;
}

function deref(root: JsonSchema, node: JsonSchema | undefined): JsonSchema | undefined {
  let current = node;
  for (let hops = 0; current && typeof current['$ref'] === 'string' && hops < 32; hops += 1) {
    const ref = current['$ref'];
    if (!ref.startsWith('#/')) return undefined;
    let target: unknown = root;
    for (const key of ref.slice(2).split('/')) {
      target = target && typeof target === 'object' ? (target as Record<string, unknown>)[key] : undefined;
    }
    current = target as JsonSchema | undefined;
  }
  return current;
}
