import { join } from 'node:path';

/** This library's folder (the one holding `schemas/` and `src/`). */
export const CONTRACTS_ROOT = join(import.meta.dirname, '..', '..');

/** Where schema files live: `schemas/<schemaName>/v<N>.json`. */
export const SCHEMAS_DIR = join(CONTRACTS_ROOT, 'schemas');

/** The committed generated types. */
export const GENERATED_DIR = join(CONTRACTS_ROOT, 'src', 'generated');
