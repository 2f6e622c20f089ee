/**
 * Base class of every error the local runtime throws.
 *
 * @example try { await startLocalRuntime(); } catch (e) { if (e instanceof LocalRuntimeError) console.error(e.message); }
 */
export class LocalRuntimeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A template uses an intrinsic function or a reference the loader cannot resolve.
 *
 * @example throw new TemplateResolutionError('Users', 'Fn::Foo is not supported');
 */
export class TemplateResolutionError extends LocalRuntimeError {
  constructor(
    readonly stackName: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`Stack ${stackName}: ${detail}`, options);
  }
}

/**
 * `Fn::ImportValue`: the workspace shares values through SSM parameters, never CloudFormation exports.
 *
 * @example throw new ImportValueNotSupportedError('Users', 'BusArn');
 */
export class ImportValueNotSupportedError extends TemplateResolutionError {
  constructor(stackName: string, exportName: unknown) {
    super(
      stackName,
      `Fn::ImportValue ${JSON.stringify(exportName)} is not supported: this workspace has no CloudFormation exports by design ` +
        '(an export pins the producer stack). Publish the value as an SSM parameter and read it with ' +
        '`StringParameter.valueForStringParameter` instead.',
    );
  }
}

/**
 * A stack reads an SSM parameter (a template parameter of type `AWS::SSM::Parameter::Value<…>`) no stack creates.
 *
 * @example throw new MissingSsmParameterError('Email', 'BusName', '/outboxed/users/event-bus-name');
 */
export class MissingSsmParameterError extends TemplateResolutionError {
  constructor(stackName: string, parameter: string, ssmName: string) {
    super(
      stackName,
      `template parameter ${parameter} reads SSM parameter "${ssmName}", but no stack of the selected apps creates it. ` +
        'Start the app that publishes it too (e.g. drop --apps, or add the producer app to it).',
    );
  }
}

/**
 * Cloud assemblies could not be found or synthesized.
 *
 * @example throw new AssemblyError('apps/users-service/cdk.out/manifest.json is missing');
 */
export class AssemblyError extends LocalRuntimeError {}

/**
 * A resource failed to start locally (a table, a queue, a function worker …).
 *
 * @example throw new ProvisioningError('Users/Table (AWS::DynamoDB::Table): CreateTable failed', { cause });
 */
export class ProvisioningError extends LocalRuntimeError {}

/**
 * A Lambda invocation failed the way Lambda reports it (`errorType`, `errorMessage`).
 *
 * @example throw new FunctionInvocationError('Users-Api-1', 'Sandbox.Timedout', 'Task timed out after 3.00 seconds');
 */
export class FunctionInvocationError extends LocalRuntimeError {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    readonly errorMessage: string,
    readonly trace: readonly string[] = [],
  ) {
    super(`${functionName}: ${errorType}: ${errorMessage}`);
  }
}
