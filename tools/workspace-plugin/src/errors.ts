/**
 * The base of every error the workspace plugin throws: catch it to tell a generator's refusal (bad input, nothing
 * written) from a bug.
 *
 * @example try { await consumerGenerator(tree, options); } catch (e) { if (e instanceof WorkspacePluginError) … }
 */
export class WorkspacePluginError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The consumer's name is not one the generator can turn into `apps/<name>-consumer`.
 *
 * @example throw new InvalidConsumerNameError('Billing', 'must be kebab-case');
 */
export class InvalidConsumerNameError extends WorkspacePluginError {
  constructor(
    readonly received: string,
    reason: string,
  ) {
    super(
      `Invalid consumer name ${JSON.stringify(received)}: ${reason}. Give the team's name in kebab-case, ` +
        `without the "-consumer" suffix (it is added): e.g. "billing" creates apps/billing-consumer.`,
    );
  }
}

/**
 * An app (or any project) with the consumer's name or folder already exists.
 *
 * @example throw new ConsumerExistsError('audit-consumer', 'apps/audit-consumer');
 */
export class ConsumerExistsError extends WorkspacePluginError {
  constructor(
    readonly projectName: string,
    readonly projectRoot: string,
  ) {
    super(
      `Cannot create ${projectRoot}: a project named "${projectName}" or the folder ${projectRoot} already exists. ` +
        `Choose another name, or edit the existing app.`,
    );
  }
}

/**
 * `--events` names an event type (or version) that `@outboxed/contracts`' `eventCatalog` does not define.
 *
 * @example throw new UnknownEventTypeError('UserDeleted', ['UserCreated@1', 'UserCreated@2']);
 */
export class UnknownEventTypeError extends WorkspacePluginError {
  constructor(
    readonly received: string,
    readonly known: readonly string[],
  ) {
    super(
      `Unknown event type ${JSON.stringify(received)} in --events. The contracts define: ${known.join(', ')}. ` +
        `Pass a DetailType (its latest version) or DetailType@version, comma-separated; add a new event type to ` +
        `libs/contracts first.`,
    );
  }
}

/**
 * `--events` names a known event type at a version the contracts do not define (`UserCreated@3` when only v1 and v2
 * exist).
 *
 * @example throw new UnknownEventVersionError('UserCreated@3', 'UserCreated', 3, [1, 2]);
 */
export class UnknownEventVersionError extends WorkspacePluginError {
  constructor(
    readonly received: string,
    readonly detailType: string,
    readonly version: number,
    readonly versions: readonly number[],
  ) {
    super(
      `Unknown version ${version} of event type ${detailType} in --events (${JSON.stringify(received)}). The ` +
        `contracts define ${detailType} versions ${versions.join(', ')}: pass one of ` +
        `${versions.map((v) => `${detailType}@${v}`).join(', ')}, or ${detailType} alone for its latest version ` +
        `(v${Math.max(...versions)}); a new version is added to libs/contracts first.`,
    );
  }
}

/**
 * `--events` names two versions of one event type: a consumer reads an event type as one version and receives every
 * compatible version of it.
 *
 * @example throw new DuplicateEventTypeError('UserCreated@1,UserCreated@2', 'UserCreated', [1, 2]);
 */
export class DuplicateEventTypeError extends WorkspacePluginError {
  constructor(
    readonly received: string,
    readonly detailType: string,
    readonly versions: readonly number[],
  ) {
    super(
      `--events ${JSON.stringify(received)} names ${detailType} in versions ${versions.join(' and ')}. A consumer ` +
        `reads an event type as one version and receives every compatible version of it: pass only the version ` +
        `whose fields you read (${versions.map((v) => `${detailType}@${v}`).join(' or ')}).`,
    );
  }
}

/**
 * `--filter` is not a JSON object of EventBridge content filters.
 *
 * @example throw new InvalidFilterError('{"data":', 'not JSON (Unexpected end of JSON input)');
 */
export class InvalidFilterError extends WorkspacePluginError {
  constructor(
    readonly received: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `Invalid --filter ${JSON.stringify(received)}: ${reason}. It must be a JSON object matched against the ` +
        `event's detail, whose leaves are arrays of EventBridge pattern values, e.g. ` +
        `'{"data":{"email":[{"suffix":"@example.com"}]}}'.`,
      options,
    );
  }
}

/**
 * The contract graph (`libs/contracts/src/cli/contract-graph.ts`) could not be loaded or is not the expected shape.
 * The Nx project graph then fails rather than link apps from a stale or partial graph.
 *
 * @example throw new ContractGraphError('"producers" is undefined, not an array of parties');
 */
export class ContractGraphError extends WorkspacePluginError {
  constructor(reason: string, options?: ErrorOptions) {
    super(
      `Cannot derive the contract edges of the Nx project graph from ` +
        `\`node --import tsx libs/contracts/src/cli/contract-graph.ts\`: ${reason}. Run that command at the ` +
        `workspace root to see the error; a consumer's src/contract-expectations.ts or a producer's ` +
        `src/contract-publications.ts that does not load is the usual cause.`,
      options,
    );
  }
}
