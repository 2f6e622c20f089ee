import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InvalidSchemaError } from '../errors.ts';
import type { SchemaDocument } from './schema-document.ts';

const VERSION_FILE = /^v([1-9][0-9]*)\.json$/;

/**
 * Reads every schema file under `schemasDir` (`<schemaName>/v<N>.json`), the offline source of codegen and the
 * reference of the drift check. `registryName` is the registry these schemas are published to.
 *
 * @example const documents = await readSchemaFiles(join(import.meta.dirname, '../../schemas'), 'outboxed-users');
 */
export async function readSchemaFiles(
  schemasDir: string,
  registryName: string,
  originBase: string = schemasDir,
): Promise<SchemaDocument[]> {
  const documents: SchemaDocument[] = [];
  const folders = (await readdir(schemasDir, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  for (const folder of folders.sort((a, b) => a.name.localeCompare(b.name))) {
    const entries = await readdir(join(schemasDir, folder.name));
    for (const file of entries.sort()) {
      const path = join(schemasDir, folder.name, file);
      const match = VERSION_FILE.exec(file);
      if (!match) {
        throw new InvalidSchemaError(
          relative(originBase, path) || path,
          'is not named v<N>.json: schema files are <schemaName>/v1.json, v2.json …',
        );
      }
      documents.push({
        registryName,
        schemaName: folder.name,
        version: Number(match[1]),
        content: await readFile(path, 'utf8'),
        origin: path,
      });
    }
  }
  return documents;
}
