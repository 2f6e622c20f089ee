import { ContractError } from '../errors.ts';

/**
 * The catalog cannot be built from what the contracts and the apps declare: a consumer reads, or a producer
 * publishes, an event version no schema defines; a schema has a `$ref` the catalog cannot embed; two names map to
 * the same AsyncAPI key. `file` names the workspace file to fix (relative to the workspace root).
 *
 * @example throw new CatalogInputError('apps/mail/src/contract-expectations.ts', 'reads UserCreated v9, which no schema defines. Fix: …');
 */
export class CatalogInputError extends ContractError {
  readonly file: string;

  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`${file}: ${problem}`, options);
    this.file = file;
  }
}
