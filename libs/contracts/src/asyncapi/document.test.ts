import { describe, expect, it } from 'vitest';
import type { CatalogInput } from './catalog-input.ts';
import { buildAsyncApiDocument, JSON_SCHEMA_DRAFT_04_FORMAT } from './document.ts';
import { CatalogInputError } from './errors.ts';
import { catalogInput, consumer, contract, producer } from './fixtures/catalog-input.ts';

const PLACED = '#/channels/test.orders.OrderPlaced';

describe('buildAsyncApiDocument', () => {
  it('has one channel per event type, each version of it a message, on the bus as the server', () => {
    const document = buildAsyncApiDocument(catalogInput());

    expect(document.asyncapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'test events', version: '1.2.3' });
    expect(Object.keys(document.servers)).toEqual(['orders-service']);
    expect(document.servers['orders-service']).toMatchObject({
      host: 'events.{region}.amazonaws.com',
      protocol: 'https',
      'x-eventbridge': {
        eventBusNameParameter: '/test/bus-name',
        eventBusArnParameter: '/test/bus-arn',
        schemaRegistryName: 'test-orders',
        schemaRegistryNameParameter: '/test/registry-name',
      },
    });
    expect(Object.keys(document.channels)).toEqual(['test.orders.OrderPlaced', 'test.orders.OrderShipped']);
    expect(document.channels['test.orders.OrderPlaced']).toMatchObject({
      address: 'test.orders/OrderPlaced',
      servers: [{ $ref: '#/servers/orders-service' }],
      messages: {
        v1: { $ref: '#/components/messages/test.orders.OrderPlaced.v1' },
        v2: { $ref: '#/components/messages/test.orders.OrderPlaced.v2' },
      },
    });
    expect(Object.keys(document.components.messages)).toEqual([
      'test.orders.OrderPlaced.v1',
      'test.orders.OrderPlaced.v2',
      'test.orders.OrderShipped.v1',
    ]);
  });

  it('embeds each registry schema as its message payload, local $refs re-rooted where the schema sits', () => {
    const document = buildAsyncApiDocument(catalogInput());
    const at = '#/components/messages/test.orders.OrderPlaced.v2/payload/schema';

    expect(document.components.messages['test.orders.OrderPlaced.v2']).toEqual({
      name: 'OrderPlaced',
      title: 'OrderPlaced v2',
      description: 'OrderPlaced v2',
      contentType: 'application/json',
      payload: {
        schemaFormat: JSON_SCHEMA_DRAFT_04_FORMAT,
        schema: {
          ...contract('OrderPlaced', 2).schema,
          properties: { detail: { $ref: `${at}/definitions/Detail` } },
        },
      },
      'x-eventbridge-schema': {
        registryName: 'test-orders',
        schemaName: 'test.orders@OrderPlaced',
        schemaVersion: '2',
      },
    });
  });

  it('gives a producer a send operation per event type with the versions it writes', () => {
    const { operations } = buildAsyncApiDocument(catalogInput());

    expect(operations['orders-service.sends.test.orders.OrderPlaced']).toEqual({
      action: 'send',
      channel: { $ref: PLACED },
      title: 'orders-service publishes OrderPlaced',
      description:
        'orders-service publishes v2 of OrderPlaced on the bus. Declared in apps/orders-service/src/contract-publications.ts.',
      messages: [{ $ref: `${PLACED}/messages/v2` }],
      'x-declared-in': 'apps/orders-service/src/contract-publications.ts',
    });
  });

  it('gives a consumer a receive operation per subscription: every version, its rule pattern, what it reads', () => {
    const { operations } = buildAsyncApiDocument(catalogInput());

    expect(Object.keys(operations)).toEqual([
      'billing.receives.test.orders.OrderPlaced',
      'orders-service.sends.test.orders.OrderPlaced',
      'orders-service.sends.test.orders.OrderShipped',
      'shipping.receives.test.orders.OrderShipped',
    ]);
    expect(operations['billing.receives.test.orders.OrderPlaced']).toMatchObject({
      action: 'receive',
      channel: { $ref: PLACED },
      messages: [{ $ref: `${PLACED}/messages/v1` }, { $ref: `${PLACED}/messages/v2` }],
      'x-eventbridge-rule': { eventPattern: { source: ['test.orders'], 'detail-type': ['OrderPlaced'] } },
      'x-reads-as-version': 1,
      'x-reads': ['detail-type', 'detail.orderId'],
      'x-reads-if-present': [],
      'x-declared-in': 'apps/billing/src/contract-expectations.ts',
    });
    expect(operations['shipping.receives.test.orders.OrderShipped']).toMatchObject({
      'x-reads': ['detail.orderId'],
      'x-reads-if-present': ['detail.note'],
    });
  });

  it('is the same document whatever the order of the input (stable drift check)', () => {
    const input = catalogInput();
    const shuffled: CatalogInput = {
      ...input,
      contracts: [...input.contracts].reverse(),
      producers: [producer({ publishes: [...producer().publishes].reverse() })],
      consumers: [...input.consumers].reverse(),
    };

    expect(JSON.stringify(buildAsyncApiDocument(shuffled))).toBe(
      JSON.stringify(buildAsyncApiDocument(input)),
    );
  });

  it.each<[string, Partial<CatalogInput>, string, string]>([
    [
      'a consumer reading a version no schema defines',
      {
        consumers: [
          consumer('billing', {
            subscriptions: [
              {
                event: { source: 'test.orders', detailType: 'OrderPlaced', version: 9 },
                reads: [],
                readsIfPresent: [],
              },
            ],
          }),
        ],
      },
      'apps/billing/src/contract-expectations.ts: subscriptions[0] reads test.orders OrderPlaced v9, which no schema defines',
      'Fix: read a version of @outboxed/contracts',
    ],
    [
      'a producer publishing an event type no schema defines',
      {
        producers: [
          producer({ publishes: [{ source: 'test.orders', detailType: 'OrderLost', version: 1 }] }),
        ],
      },
      'apps/orders-service/src/contract-publications.ts: publishes[0] is test.orders OrderLost v1, which no schema defines',
      'Fix: publish a contract of @outboxed/contracts',
    ],
    [
      'a consumer subscribing to one event type twice',
      {
        consumers: [
          consumer('billing', {
            subscriptions: [1, 2].map((version) => ({
              event: { source: 'test.orders', detailType: 'OrderPlaced', version },
              reads: [],
              readsIfPresent: [],
            })),
          }),
        ],
      },
      'apps/billing/src/contract-expectations.ts: subscriptions[1] subscribes to test.orders OrderPlaced again',
      'Fix: keep one subscription',
    ],
    [
      'a contract listed twice',
      { contracts: [contract('OrderPlaced', 1), contract('OrderPlaced', 1)] },
      'libs/contracts/schemas/test.orders@OrderPlaced/v1.json: test.orders OrderPlaced v1 is defined twice',
      'Fix: list each contract once',
    ],
    [
      'a schema with a $ref outside itself',
      {
        contracts: [
          { ...contract('OrderShipped', 1), schema: { properties: { a: { $ref: 'common.json#/A' } } } },
        ],
        producers: [],
        consumers: [],
      },
      'libs/contracts/schemas/test.orders@OrderShipped/v1.json: $ref "common.json#/A" at /properties/a is not a local reference',
      'Fix: move the referenced schema into its definitions',
    ],
    [
      'two sources that become the same AsyncAPI key',
      {
        contracts: [contract('OrderShipped', 1, 'test orders'), contract('OrderShipped', 1, 'test_orders')],
        producers: [],
        consumers: [],
      },
      '"test_orders OrderShipped" and "test orders OrderShipped" both become the AsyncAPI key "test_orders.OrderShipped"',
      'Fix: rename one of them',
    ],
  ])('rejects %s, naming the file and the fix', (_, overrides, problem, fix) => {
    const build = () => buildAsyncApiDocument(catalogInput(overrides));

    expect(build).toThrow(CatalogInputError);
    expect(build).toThrow(problem);
    expect(build).toThrow(fix);
  });
});
