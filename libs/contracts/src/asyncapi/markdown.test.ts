import { describe, expect, it } from 'vitest';
import { CatalogInputError } from './errors.ts';
import { catalogInput, consumer, producer } from './fixtures/catalog-input.ts';
import { renderEventCatalogMarkdown } from './markdown.ts';

const mermaidOf = (markdown: string) => {
  const start = markdown.indexOf('```mermaid\n') + '```mermaid\n'.length;
  return markdown.slice(start, markdown.indexOf('\n```', start)).split('\n');
};

describe('renderEventCatalogMarkdown', () => {
  it('draws producers → events (with their versions) → consumers (with the version they read as)', () => {
    const markdown = renderEventCatalogMarkdown(catalogInput());

    expect(mermaidOf(markdown)).toEqual([
      'flowchart LR',
      '  P1["orders-service"]',
      '  E1(["OrderPlaced<br/>test.orders<br/>v1, v2"])',
      '  E2(["OrderShipped<br/>test.orders<br/>v1"])',
      '  C1["billing"]',
      '  C2["shipping"]',
      '  P1 -->|"publishes v2"| E1',
      '  P1 -->|"publishes v1"| E2',
      '  E1 -->|"reads as v1"| C1',
      '  E2 -->|"reads as v1"| C2',
    ]);
  });

  it('lists each event type with its registry schema, producers and consumers', () => {
    const markdown = renderEventCatalogMarkdown(catalogInput());

    expect(markdown).toContain(
      '| OrderPlaced | `test.orders` | v1, v2 | `test-orders` / `test.orders@OrderPlaced` | orders-service (v2) | billing (as v1) |',
    );
    expect(markdown).toContain(
      '| OrderShipped | `test.orders` | v1 | `test-orders` / `test.orders@OrderShipped` | orders-service (v1) | shipping (as v1) |',
    );
  });

  it('lists each subscription with its rule pattern, the fields read and the declaring file', () => {
    const markdown = renderEventCatalogMarkdown(catalogInput());

    expect(markdown).toContain(
      '| shipping | OrderShipped (`test.orders`) | v1 | `{"source":["test.orders"],"detail-type":["OrderShipped"]}` | `detail.orderId` | `detail.note` | `apps/shipping/src/contract-expectations.ts` |',
    );
  });

  it('says so when an event type has no producer or no consumer', () => {
    const markdown = renderEventCatalogMarkdown(catalogInput({ producers: [], consumers: [] }));

    expect(markdown).toContain('| no producer | no consumer |');
    expect(mermaidOf(markdown)).toEqual([
      'flowchart LR',
      '  E1(["OrderPlaced<br/>test.orders<br/>v1, v2"])',
      '  E2(["OrderShipped<br/>test.orders<br/>v1"])',
    ]);
  });

  it('keeps names with quotes, angle brackets or pipes from breaking the diagram or the tables', () => {
    const markdown = renderEventCatalogMarkdown(
      catalogInput({
        producers: [producer({ project: 'a"<b>|c' })],
        consumers: [consumer('x|y')],
      }),
    );

    expect(mermaidOf(markdown)).toContain('  P1["a#quot;#lt;b#gt;|c"]');
    expect(markdown).toContain('| a"<b>\\|c (v2) | x\\|y (as v1) |');
  });

  it('rejects a consumer reading a version no schema defines, naming its file', () => {
    const render = () =>
      renderEventCatalogMarkdown(
        catalogInput({
          consumers: [
            consumer('billing', {
              subscriptions: [
                {
                  event: { source: 'test.orders', detailType: 'OrderPlaced', version: 3 },
                  reads: [],
                  readsIfPresent: [],
                },
              ],
            }),
          ],
        }),
      );

    expect(render).toThrow(CatalogInputError);
    expect(render).toThrow(
      'apps/billing/src/contract-expectations.ts: subscriptions[0] reads test.orders OrderPlaced v3',
    );
  });
});
