import type { ContractViolation } from './validation.ts';

/**
 * Base class of every error `@outboxed/contracts` throws.
 *
 * @example if (error instanceof ContractError) logger.warn('contract', { reason: error.name });
 */
export class ContractError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A value does not satisfy a contract's schema. `violations` lists every violation with its JSON path; the
 * message names paths and rules but never the values (they may be emails or names).
 *
 * @example try { userCreated.parseEvent(event); } catch (e) { if (e instanceof ContractValidationError) e.violations; }
 */
export class ContractValidationError extends ContractError {
  readonly violations: readonly ContractViolation[];
  readonly schemaName: string;
  readonly version: number;

  constructor(
    schemaName: string,
    version: number,
    violations: readonly ContractViolation[],
    options?: ErrorOptions,
  ) {
    const lines = violations.map((v) => `  - ${v.path}: ${v.message}`).join('\n');
    super(
      `The value does not satisfy ${schemaName} v${version} (${violations.length} violation${violations.length === 1 ? '' : 's'}):\n${lines}\nFix the producer of this value or read it with the contract of its own version.`,
      options,
    );
    this.violations = violations;
    this.schemaName = schemaName;
    this.version = version;
  }
}

/**
 * A schema file or registry schema is unusable: not JSON, not a valid draft-4 schema, or with an unresolved `$ref`.
 * `origin` names the file, or the registry/schema/version.
 *
 * @example throw new InvalidSchemaError('schemas/x/v1.json', 'is not JSON');
 */
export class InvalidSchemaError extends ContractError {
  readonly origin: string;

  constructor(origin: string, problem: string, options?: ErrorOptions) {
    super(`${origin}: ${problem}`, options);
    this.origin = origin;
  }
}

/**
 * The schema registry could not be read: unreachable, access denied, or without the registry, schema or version
 * asked for. The message names the registry/schema/version and what to check.
 *
 * @example throw new RegistryError('outboxed-users/outboxed.users@UserCreated/2', 'not found', { cause });
 */
export class RegistryError extends ContractError {
  readonly location: string;

  constructor(location: string, problem: string, options?: ErrorOptions) {
    super(`Schema registry ${location}: ${problem}`, options);
    this.location = location;
  }
}

/**
 * Two schema versions break the chosen compatibility mode.
 *
 * @example throw new CompatibilityError(report.violations);
 */
export class CompatibilityError extends ContractError {}

/**
 * Committed generated code differs from what the schema files produce.
 *
 * @example throw new GeneratedCodeDriftError(['src/generated/x/v1-producer.ts']);
 */
export class GeneratedCodeDriftError extends ContractError {}
