import type { JsonSchema } from '../validation.ts';
import { CatalogInputError } from './errors.ts';

/**
 * A registry schema as it sits inside the catalog at JSON pointer `at`: the same schema, with each local `$ref`
 * (`#/definitions/X`, relative to the schema itself) re-rooted at `at` (`<at>/definitions/X`), since inside an AsyncAPI
 * document `#` is the document. A `$ref` to anything else cannot be embedded: `CatalogInputError` naming `file`.
 *
 * @example embedSchema(schema, '#/components/messages/x.v1/payload/schema', 'libs/contracts/schemas/x/v1.json');
 */
export function embedSchema(schema: JsonSchema, at: string, file: string): JsonSchema {
  return rebase(schema, at, file, '') as JsonSchema;
}

function rebase(value: unknown, at: string, file: string, path: string): unknown {
  if (Array.isArray(value)) return value.map((item, i) => rebase(item, at, file, `${path}/${i}`));
  if (!value || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    result[key] =
      key === '$ref' && typeof child === 'string'
        ? rebaseRef(child, at, file, path)
        : rebase(child, at, file, `${path}/${key}`);
  }
  return result;
}

function rebaseRef(ref: string, at: string, file: string, path: string): string {
  if (ref === '#' || ref.startsWith('#/')) return `${at}${ref.slice(1)}`;
  throw new CatalogInputError(
    file,
    `$ref "${ref}" at ${path || '/'} is not a local reference: the catalog embeds each schema in one document, so only references inside the schema (#/definitions/…) can be kept. Fix: move the referenced schema into its definitions and refer to it as #/definitions/<name>, then run \`npx nx run contracts:codegen --from-files\`.`,
  );
}
