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
