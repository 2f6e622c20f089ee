import { join } from 'node:path';

/**
 * This library's folder (the one holding `schemas/` and `src/`).
 *
 * @example join(CONTRACTS_ROOT, 'README.md');
 */
export const CONTRACTS_ROOT = join(import.meta.dirname, '..', '..');

/**
 * Where schema files live: `schemas/<schemaName>/v<N>.json`.
 *
 * @example await readSchemaFiles(SCHEMAS_DIR, USERS_SCHEMA_REGISTRY_NAME);
 */
export const SCHEMAS_DIR = join(CONTRACTS_ROOT, 'schemas');

/**
 * The committed generated types.
 *
 * @example await writeGeneratedFolder(GENERATED_DIR, files);
 */
export const GENERATED_DIR = join(CONTRACTS_ROOT, 'src', 'generated');
