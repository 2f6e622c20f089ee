// The generated document, read by the AsyncAPI parser from npm: valid AsyncAPI 3, every $ref resolved, every
// payload a valid draft-4 schema, and nothing fetched while parsing (the test fails on any network connection).
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import type { SchemaParser } from '@asyncapi/parser';
import Ajv from 'ajv-draft-04';
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { CONTRACTS_ROOT } from '../codegen/paths.ts';
import { buildAsyncApiDocument, JSON_SCHEMA_DRAFT_04_FORMAT } from './document.ts';
import { catalogInput } from './fixtures/catalog-input.ts';

/** Every violation of the draft-4 meta-schema by `schema` (the parser has no draft-4 schema parser of its own). */
function draft04Violations(schema: unknown): string[] {
  const ajv = new Ajv({ allErrors: true });
  if (ajv.validateSchema(schema as object)) return [];
  return (ajv.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/**
 * The draft-4 schema parser: for AsyncAPI 3 the parser calls `parse` on each payload with a `schemaFormat`, and
 * reports what it throws as a diagnostic (`validate` is called for AsyncAPI 2 only).
 */
const draft04: SchemaParser = {
  getMimeTypes: () => [JSON_SCHEMA_DRAFT_04_FORMAT],
  validate: ({ data, path }) => draft04Violations(data).map((message) => ({ message, path })),
  parse: ({ data, path }) => {
    const violations = draft04Violations(data);
    if (violations.length > 0) {
      throw new Error(`draft-04 schema at ${path.join('.')}: ${violations.join('; ')}`);
    }
    return data as never;
  },
};

async function parse(text: string) {
  const parser = new Parser();
  parser.registerSchemaParser(draft04);
  return parser.parse(text);
}

const described = (
  diagnostics: {
    severity: number;
    code: string | number;
    message: string;
    path: readonly (string | number)[];
  }[],
) =>
  diagnostics.map((d) => `${DiagnosticSeverity[d.severity]} ${d.code}: ${d.message} at ${d.path.join('.')}`);

let connects: ReturnType<typeof vi.spyOn>;
let fetches: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  connects = vi.spyOn(Socket.prototype, 'connect').mockImplementation(() => {
    throw new Error('the AsyncAPI parser tried to open a network connection');
  });
  fetches = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('the AsyncAPI parser tried to fetch'));
});
afterEach(() => {
  expect(connects).not.toHaveBeenCalled();
  expect(fetches).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

describe('the committed AsyncAPI document (docs/asyncapi.yaml, hashed as a runtime input of this test target)', () => {
  it('is valid AsyncAPI 3 to the AsyncAPI parser, offline, with no diagnostic at all', async () => {
    const text = await readFile(join(CONTRACTS_ROOT, '..', '..', 'docs', 'asyncapi.yaml'), 'utf8');

    const { document, diagnostics } = await parse(text);

    expect(described(diagnostics)).toEqual([]);
    expect(document?.version()).toBe('3.1.0');
  });

  it('describes every consumer of the workspace as a receive operation of every UserCreated version', async () => {
    const { document } = await parse(
      await readFile(join(CONTRACTS_ROOT, '..', '..', 'docs', 'asyncapi.yaml'), 'utf8'),
    );

    const operations = document?.operations().all() ?? [];
    const receive = operations.filter((o) => o.action() === 'receive');
    expect(receive.length).toBeGreaterThan(0);
    for (const operation of receive) {
      expect(
        operation
          .channels()
          .all()
          .map((c) => c.address()),
      ).toEqual(['outboxed.users/UserCreated']);
      expect(
        operation
          .messages()
          .all()
          .map((m) => m.title()),
      ).toEqual(
        document
          ?.channels()
          .all()[0]
          ?.messages()
          .all()
          .map((m) => m.title()),
      );
    }
    expect(operations.filter((o) => o.action() === 'send').map((o) => o.id())).toEqual([
      'users-service.sends.outboxed.users.UserCreated',
    ]);
  });
});

describe('buildAsyncApiDocument, as the AsyncAPI parser reads it', () => {
  it('gives operations, channels and messages the parser resolves, with each payload schema in place', async () => {
    const { document, diagnostics } = await parse(stringify(buildAsyncApiDocument(catalogInput())));

    expect(described(diagnostics)).toEqual([]);
    const operation = document?.operations().get('shipping.receives.test.orders.OrderShipped');
    expect(operation?.action()).toBe('receive');
    expect(
      operation
        ?.messages()
        .all()
        .map((m) => m.title()),
    ).toEqual(['OrderShipped v1']);
    expect(operation?.extensions().get('x-eventbridge-rule')?.value()).toEqual({
      eventPattern: { source: ['test.orders'], 'detail-type': ['OrderShipped'] },
    });
    const placed = document
      ?.messages()
      .all()
      .find((m) => m.title() === 'OrderPlaced v2');
    expect(placed?.payload()?.properties()?.['detail']?.required()).toEqual(['orderId']);
  });

  it.each([
    [
      'an operation sending a message its channel does not hold',
      (d: ReturnType<typeof buildAsyncApiDocument>) => {
        const op = d.operations['orders-service.sends.test.orders.OrderShipped'] as { messages: unknown[] };
        op.messages = [{ $ref: '#/channels/test.orders.OrderPlaced/messages/v1' }];
      },
      'asyncapi3-operation-messages-from-referred-channel',
    ],
    [
      'a payload that is not a draft-4 schema',
      (d: ReturnType<typeof buildAsyncApiDocument>) => {
        const message = d.components.messages['test.orders.OrderShipped.v1'] as {
          payload: { schema: object };
        };
        message.payload.schema = { type: 42 };
      },
      'draft-04 schema',
    ],
  ])('reports %s (so this check can fail)', async (_, breakIt, expected) => {
    const document = structuredClone(buildAsyncApiDocument(catalogInput()));
    breakIt(document);

    const { diagnostics } = await parse(stringify(document));

    expect(described(diagnostics).join('\n')).toContain(expected);
    expect(diagnostics.some((d) => d.severity === DiagnosticSeverity.Error)).toBe(true);
  });
});
