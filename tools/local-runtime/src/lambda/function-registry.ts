import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FunctionInvocationError, ProvisioningError } from '../errors';
import type { ProvisionRequest } from '../template/deploy';
import { LocalFunction } from './local-function';
import type { FunctionLogSink } from './local-function';

/**
 * The functions of every deployed stack, addressable by name or ARN.
 *
 * @example const result = await registry.invoke('arn:aws:lambda:us-east-1:000000000000:function:Users-Api-X', event);
 */
export class FunctionRegistry {
  private readonly byName = new Map<string, LocalFunction>();
  /** Display names (logical id without CDK's hash) by function name. */
  readonly displayNames = new Map<string, string>();

  constructor(
    private readonly localEnvironment: Readonly<Record<string, string>>,
    private readonly log: FunctionLogSink,
    private readonly inlineCodeDir: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** Every function. */
  get functions(): ReadonlyMap<string, LocalFunction> {
    return this.byName;
  }

  /** The function named by a name, an ARN (qualified or not) or an API Gateway integration URI. */
  find(nameOrArn: string): LocalFunction | undefined {
    const match = /function:([^:/]+)/.exec(nameOrArn);
    return this.byName.get(match ? (match[1] as string) : nameOrArn);
  }

  /**
   * Invokes a function synchronously; `traceHeader` is the upstream X-Ray trace header the invocation continues
   * (by default an API Gateway event's `x-amzn-trace-id`; else a new trace).
   *
   * @example await registry.invoke('Users-Api-X', event);
   */
  invoke(nameOrArn: string, event: unknown, traceHeader?: string): Promise<unknown> {
    const fn = this.find(nameOrArn);
    if (!fn) {
      return Promise.reject(
        new FunctionInvocationError(
          nameOrArn,
          'ResourceNotFoundException',
          `Function not found: ${nameOrArn}`,
        ),
      );
    }
    return traceHeader === undefined ? fn.invoke(event) : fn.invoke(event, traceHeader);
  }

  /** The provisioner of `AWS::Lambda::Function`: registers the function; workers start on first invocation. */
  readonly provision = async (request: ProvisionRequest): Promise<void> => {
    const { properties: p, identity, resource, plan, logicalId } = request;
    const name = identity.ref;
    const runtime = String(p.Runtime ?? '');
    if (!runtime.startsWith('nodejs')) {
      this.warn(
        `${plan.input.stackName}/${logicalId}: runtime ${runtime || '(none)'} cannot run locally (only Node.js functions do)`,
      );
    }
    const code = p.Code as { ZipFile?: string } | undefined;
    const assetPath = resource.Metadata?.['aws:asset:path'];
    let codeDir: string;
    if (typeof assetPath === 'string') codeDir = join(plan.input.assemblyDir, assetPath);
    else if (typeof code?.ZipFile === 'string') {
      codeDir = join(this.inlineCodeDir, name);
      mkdirSync(codeDir, { recursive: true });
      const file = String(p.Handler ?? 'index.handler').split('.')[0] as string;
      writeFileSync(join(codeDir, `${file}.cjs`), code.ZipFile);
    } else {
      throw new ProvisioningError(
        `${plan.input.stackName}/${logicalId} (AWS::Lambda::Function) has neither an \`aws:asset:path\` metadata entry nor inline code: ` +
          'synthesize with asset metadata enabled (the default) so the runtime can find its bundle.',
      );
    }
    const variables = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>;
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(variables))
      environment[key] = typeof value === 'string' ? value : JSON.stringify(value);
    const logFormat = (p.LoggingConfig as { LogFormat?: string } | undefined)?.LogFormat;
    this.displayNames.set(name, logicalId.replace(/[0-9A-F]{8}$/, ''));
    this.byName.set(
      name,
      new LocalFunction(
        {
          name,
          arn: identity.attributes.Arn as string,
          codeDir,
          handler: String(p.Handler ?? 'index.handler'),
          environment: {
            ...environment,
            ...(logFormat ? { AWS_LAMBDA_LOG_FORMAT: logFormat } : {}),
            ...this.localEnvironment,
          },
          timeoutSeconds: Number(p.Timeout ?? 3),
          memoryMb: Number(p.MemorySize ?? 128),
          maxConcurrency:
            p.ReservedConcurrentExecutions !== undefined
              ? Math.max(1, Math.min(4, Number(p.ReservedConcurrentExecutions)))
              : 4,
        },
        this.log,
      ),
    );
  };

  /** Stops every worker. */
  /**
   * Kills the worker (of any function) whose SDK calls carry `appId`; returns the function's name, or undefined.
   *
   * @example registry.killWorker('w7-PT-NO-OP-2.35.0') // 'EmailConsumer-WelcomeEmail-1A2B'
   */
  killWorker(appId: string): string | undefined {
    for (const fn of this.byName.values()) if (fn.killWorker(appId)) return fn.definition.name;
    return undefined;
  }

  /** Invocations running now, over every function. */
  get busyCount(): number {
    return [...this.byName.values()].reduce((sum, fn) => sum + fn.busyCount, 0);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byName.values()].map((f) => f.stop()));
  }
}
