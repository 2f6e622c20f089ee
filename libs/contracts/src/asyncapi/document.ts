import { compareEvents, compareText, eventKey, schemaFile } from './catalog-input.ts';
import type { CatalogBus, CatalogContract, CatalogEvent, CatalogInput } from './catalog-input.ts';
import { embedSchema } from './embed-schema.ts';
import { asyncApiKey, KeyRegistry } from './names.ts';
import { validateCatalogInput } from './validate-input.ts';

/**
 * The AsyncAPI version of the generated document.
 *
 * @example document.asyncapi === ASYNCAPI_VERSION;
 */
export const ASYNCAPI_VERSION = '3.1.0';

/**
 * The `schemaFormat` of every message payload: the registry's schemas are JSON Schema draft 4 (its
 * `JSONSchemaDraft4` type), embedded as they are rather than converted.
 *
 * @example parser.registerSchemaParser({ getMimeTypes: () => [JSON_SCHEMA_DRAFT_04_FORMAT], validate, parse });
 */
export const JSON_SCHEMA_DRAFT_04_FORMAT = 'application/schema+json;version=draft-04';

/**
 * An AsyncAPI 3 document as plain data (what is written as YAML).
 *
 * @example buildAsyncApiDocument(input).operations['email-consumer.receives.outboxed.users.UserCreated'];
 */
export interface AsyncApiDocument {
  readonly asyncapi: string;
  readonly info: Readonly<Record<string, unknown>>;
  readonly defaultContentType: string;
  readonly servers: Readonly<Record<string, unknown>>;
  readonly channels: Readonly<Record<string, unknown>>;
  readonly operations: Readonly<Record<string, unknown>>;
  readonly components: { readonly messages: Readonly<Record<string, unknown>> };
}

/** One event type (source + detail-type) with its versions: one channel. */
interface EventType {
  readonly source: string;
  readonly detailType: string;
  readonly key: string;
  readonly versions: readonly CatalogContract[];
}

/**
 * The AsyncAPI 3 document of the system: the bus as the server; one channel per event type (source + detail-type)
 * holding each registry schema version as a message; a `send` operation per producer and event type, with the
 * versions it writes; a `receive` operation per consumer subscription, with every version (its rule matches them
 * all), its rule pattern (`x-eventbridge-rule`), the version it reads as and the fields it reads. Entries are sorted,
 * so the same input always gives the same document. Throws `CatalogInputError` (file and fix) on unusable input.
 *
 * @example const yaml = stringify(buildAsyncApiDocument(await readCatalogInput(workspaceRoot)));
 */
export function buildAsyncApiDocument(input: CatalogInput): AsyncApiDocument {
  validateCatalogInput(input);
  const serverKey = asyncApiKey(input.bus.owner);
  const types = eventTypes(input.contracts);
  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: input.title,
      version: input.version,
      description: `The events of the system, generated from libs/contracts (schemas and event catalog) and each app's src/contract-publications.ts and src/contract-expectations.ts. Do not edit: run \`npx nx run contracts:catalog\`.`,
    },
    defaultContentType: 'application/json',
    servers: { [serverKey]: server(input.bus) },
    channels: Object.fromEntries(types.map((t) => [t.key, channel(t, serverKey, input.bus.owner)])),
    operations: sortedEntries([...producerOperations(input, types), ...consumerOperations(input, types)]),
    components: {
      messages: Object.fromEntries(
        types.flatMap((t) => t.versions).map((c) => [messageKey(c), message(c, input.bus.registryName)]),
      ),
    },
  };
}

function eventTypes(contracts: readonly CatalogContract[]): EventType[] {
  const keys = new KeyRegistry();
  const byType = new Map<string, CatalogContract[]>();
  for (const contract of [...contracts].sort(compareEvents)) {
    const name = `${contract.source} ${contract.detailType}`;
    const key = keys.claim(asyncApiKey(contract.source, contract.detailType), name, schemaFile(contract));
    byType.set(key, [...(byType.get(key) ?? []), contract]);
  }
  return [...byType.entries()].map(([key, versions]) => {
    const { source, detailType } = versions[0] as CatalogContract;
    return { source, detailType, key, versions };
  });
}

const messageKey = (c: CatalogEvent) => asyncApiKey(c.source, c.detailType, `v${c.version}`);
const channelMessageKey = (c: CatalogEvent) => `v${c.version}`;
const channelRef = (t: EventType) => ({ $ref: `#/channels/${t.key}` });
const channelMessageRef = (t: EventType, c: CatalogEvent) => ({
  $ref: `#/channels/${t.key}/messages/${channelMessageKey(c)}`,
});

function server(bus: CatalogBus): Record<string, unknown> {
  return {
    host: 'events.{region}.amazonaws.com',
    protocol: 'https',
    title: `${bus.owner} event bus`,
    summary: 'Amazon EventBridge event bus',
    description: `The EventBridge bus of ${bus.owner}. Its name is generated at deploy time and published as the SSM parameter ${bus.parameters.eventBusName} (ARN: ${bus.parameters.eventBusArn}), which consumers read at deploy time. Its schemas are in the schema registry ${bus.registryName} (SSM parameter ${bus.parameters.schemaRegistryName}).`,
    variables: { region: { description: 'The AWS Region the bus is deployed in.' } },
    'x-eventbridge': {
      eventBusNameParameter: bus.parameters.eventBusName,
      eventBusArnParameter: bus.parameters.eventBusArn,
      schemaRegistryName: bus.registryName,
      schemaRegistryNameParameter: bus.parameters.schemaRegistryName,
    },
  };
}

function channel(t: EventType, serverKey: string, owner: string): Record<string, unknown> {
  return {
    address: `${t.source}/${t.detailType}`,
    title: t.detailType,
    description: `Events on the ${owner} bus with source "${t.source}" and detail-type "${t.detailType}", in every version below. Versions of one detail-type are mutually readable, so a consumer's rule matches them all and reads each as its own version; a breaking change is a new detail-type.`,
    servers: [{ $ref: `#/servers/${serverKey}` }],
    messages: Object.fromEntries(
      t.versions.map((c) => [channelMessageKey(c), { $ref: `#/components/messages/${messageKey(c)}` }]),
    ),
  };
}

function message(c: CatalogContract, registryName: string): Record<string, unknown> {
  const key = messageKey(c);
  const description = typeof c.schema['description'] === 'string' ? c.schema['description'] : undefined;
  return {
    name: c.detailType,
    title: `${c.detailType} v${c.version}`,
    ...(description ? { description } : {}),
    contentType: 'application/json',
    payload: {
      schemaFormat: JSON_SCHEMA_DRAFT_04_FORMAT,
      schema: embedSchema(c.schema, `#/components/messages/${key}/payload/schema`, schemaFile(c)),
    },
    'x-eventbridge-schema': { registryName, schemaName: c.schemaName, schemaVersion: String(c.version) },
  };
}

function typeOf(types: readonly EventType[], event: CatalogEvent): EventType {
  // validateCatalogInput has checked that every event names a contract, hence a type.
  return types.find((t) => t.source === event.source && t.detailType === event.detailType) as EventType;
}

function producerOperations(input: CatalogInput, types: readonly EventType[]): [string, unknown][] {
  const keys = new KeyRegistry();
  return input.producers.flatMap((producer) => {
    const byType = new Map<EventType, CatalogEvent[]>();
    for (const event of [...producer.publishes].sort(compareEvents)) {
      const t = typeOf(types, event);
      byType.set(t, [...(byType.get(t) ?? []), event]);
    }
    return [...byType.entries()].map(([t, events]): [string, unknown] => {
      const name = `${producer.project} sends ${t.source} ${t.detailType}`;
      const key = keys.claim(
        asyncApiKey(producer.project, 'sends', t.source, t.detailType),
        name,
        producer.file,
      );
      const operation = {
        action: 'send',
        channel: channelRef(t),
        title: `${producer.project} publishes ${t.detailType}`,
        description: `${producer.project} publishes ${events.map((e) => `v${e.version}`).join(' and ')} of ${t.detailType} on the bus. Declared in ${producer.file}.`,
        messages: events.map((e) => channelMessageRef(t, e)),
        'x-declared-in': producer.file,
      };
      return [key, operation];
    });
  });
}

function consumerOperations(input: CatalogInput, types: readonly EventType[]): [string, unknown][] {
  const keys = new KeyRegistry();
  return input.consumers.flatMap((consumer) =>
    consumer.subscriptions.map((s): [string, unknown] => {
      const t = typeOf(types, s.event);
      const name = `${consumer.project} receives ${t.source} ${t.detailType}`;
      const key = keys.claim(
        asyncApiKey(consumer.project, 'receives', t.source, t.detailType),
        name,
        consumer.file,
      );
      const operation = {
        action: 'receive',
        channel: channelRef(t),
        title: `${consumer.project} receives ${t.detailType}`,
        description: `Through its own rule on the bus (pattern in x-eventbridge-rule), its SQS queue with a dead-letter queue, and its Lambda function. The rule matches every version of ${t.detailType}; ${consumer.project} reads each as v${s.event.version} (${eventKey(s.event)}), ignoring fields it does not know. Declared in ${consumer.file}.`,
        messages: t.versions.map((c) => channelMessageRef(t, c)),
        'x-eventbridge-rule': { eventPattern: consumer.rulePattern },
        'x-reads-as-version': s.event.version,
        'x-reads': [...s.reads].sort(compareText),
        'x-reads-if-present': [...s.readsIfPresent].sort(compareText),
        'x-declared-in': consumer.file,
      };
      return [key, operation];
    }),
  );
}

function sortedEntries(entries: readonly [string, unknown][]): Record<string, unknown> {
  return Object.fromEntries([...entries].sort(([a], [b]) => compareText(a, b)));
}
