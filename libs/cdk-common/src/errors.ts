/**
 * The base of every error `@outboxed/cdk-common` throws.
 *
 * @example try { checkDeployableAssembly('cdk.out'); } catch (e) { if (e instanceof CdkCommonError) … }
 */
export class CdkCommonError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A cloud assembly cannot be deployed as it is: missing, made for the offline placeholder account, or made for
 * another account or region than the one being deployed to.
 *
 * @example throw new UndeployableAssemblyError('cdk.out', 'stack EmailConsumer targets the placeholder account');
 */
export class UndeployableAssemblyError extends CdkCommonError {
  constructor(
    readonly assemblyDir: string,
    reason: string,
    fix: string,
    options?: ErrorOptions,
  ) {
    super(`Refusing to deploy the cloud assembly ${assemblyDir}: ${reason}. ${fix}`, options);
  }
}

/**
 * A construct prop is outside the range AWS accepts (or the construct supports), caught at synth instead of at
 * deploy: names the construct, the prop, the value received and the allowed range, and says what to change.
 *
 * @example throw new ConstructValidationError('OutboxRelay Stack/Relay', 'batchSize', '0', 'a whole number from 1 to 10000');
 */
export class ConstructValidationError extends CdkCommonError {
  constructor(
    readonly construct: string,
    readonly prop: string,
    readonly received: string,
    readonly allowed: string,
    fix = `set ${prop} within that range or leave it out for the default`,
  ) {
    super(`${construct}: ${prop} is ${received}; allowed: ${allowed}. To fix: ${fix}.`);
  }
}

/**
 * No folder at or above the start folder holds both `package-lock.json` and `nx.json`.
 *
 * @example throw new WorkspaceRootNotFoundError('/tmp/elsewhere');
 */
export class WorkspaceRootNotFoundError extends CdkCommonError {
  constructor(readonly from: string) {
    super(
      `No workspace root (a folder with package-lock.json and nx.json) at or above ${from}. Run the command from inside the monorepo, or pass the folder to start from.`,
    );
  }
}
