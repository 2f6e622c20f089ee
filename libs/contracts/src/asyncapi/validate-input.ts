import { eventKey, schemaFile } from './catalog-input.ts';
import type { CatalogEvent, CatalogInput } from './catalog-input.ts';
import { CatalogInputError } from './errors.ts';

const CODEGEN = 'npx nx run contracts:codegen --from-files';

/**
 * Throws `CatalogInputError` naming the file and the fix when the input cannot make a catalog: a contract defined
 * twice, a producer or consumer naming an event version no contract defines, or a consumer subscribing to one
 * event type twice.
 *
 * @example validateCatalogInput(input); // throws for a consumer reading UserCreated v9
 */
export function validateCatalogInput(input: CatalogInput): void {
  const known = new Set<string>();
  for (const contract of input.contracts) {
    const key = eventKey(contract);
    if (known.has(key)) {
      throw new CatalogInputError(
        schemaFile(contract),
        `${key} is defined twice in the event catalog (libs/contracts/src/catalog.ts). Fix: list each contract once, then run \`${CODEGEN}\`.`,
      );
    }
    known.add(key);
  }
  const defined = (event: CatalogEvent) => known.has(eventKey(event));
  const list = [...known].join(', ') || 'none';
  for (const producer of input.producers) {
    for (const [index, event] of producer.publishes.entries()) {
      if (defined(event)) continue;
      throw new CatalogInputError(
        producer.file,
        `publishes[${index}] is ${eventKey(event)}, which no schema defines (defined: ${list}). Fix: publish a contract of @outboxed/contracts, or add its schema file and run \`${CODEGEN}\`.`,
      );
    }
  }
  for (const consumer of input.consumers) {
    const types = new Set<string>();
    for (const [index, { event }] of consumer.subscriptions.entries()) {
      const type = `${event.source} ${event.detailType}`;
      if (types.has(type)) {
        throw new CatalogInputError(
          consumer.file,
          `subscriptions[${index}] subscribes to ${type} again: a consumer reads each event type as one version. Fix: keep one subscription to ${type}.`,
        );
      }
      types.add(type);
      if (defined(event)) continue;
      throw new CatalogInputError(
        consumer.file,
        `subscriptions[${index}] reads ${eventKey(event)}, which no schema defines (defined: ${list}). Fix: read a version of @outboxed/contracts, or add its schema file and run \`${CODEGEN}\`.`,
      );
    }
  }
}
