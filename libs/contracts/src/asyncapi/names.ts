import { CatalogInputError } from './errors.ts';

/**
 * An AsyncAPI component or map key for `parts` (joined with `.`): every character outside `[A-Za-z0-9._-]` (the
 * keys AsyncAPI allows) becomes `_`.
 *
 * @example asyncApiKey('outboxed.users', 'UserCreated', 'v1'); // 'outboxed.users.UserCreated.v1'
 */
export function asyncApiKey(...parts: readonly string[]): string {
  return parts.map((p) => p.replace(/[^A-Za-z0-9._-]/g, '_')).join('.');
}

/**
 * Records which name each key was made from, and throws `CatalogInputError` naming `file` when two different names
 * make the same key (they would overwrite each other in the document).
 *
 * @example const keys = new KeyRegistry(); keys.claim('outboxed.users.UserCreated', 'outboxed.users UserCreated', file);
 */
export class KeyRegistry {
  private readonly owners = new Map<string, string>();

  /**
   * `key`, once it is known to stand for `name` only; `file` is what the error names.
   *
   * @example keys.claim(asyncApiKey(source, detailType), `${source} ${detailType}`, schemaFile(contract));
   */
  claim(key: string, name: string, file: string): string {
    const owner = this.owners.get(key);
    if (owner !== undefined && owner !== name) {
      throw new CatalogInputError(
        file,
        `"${name}" and "${owner}" both become the AsyncAPI key "${key}" (only letters, digits, ".", "-" and "_" are kept). Fix: rename one of them.`,
      );
    }
    this.owners.set(key, name);
    return key;
  }
}
