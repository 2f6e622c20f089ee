import { MissingSsmParameterError, ProvisioningError } from '../errors';
import { evaluateCondition, LOCAL_ACCOUNT, LOCAL_REGION, NO_VALUE, resolveValue } from './intrinsics';
import type { ResolveContext } from './intrinsics';
import { ignoredIdentity, SUPPORTED_RESOURCE_TYPES } from './resource-types';
import type { StackPlan } from './stack-plan';
import type { CfnResource, ResourceIdentity } from './types';

/**
 * The value given to `/cdk-bootstrap/…` SSM parameters: nothing is bootstrapped locally.
 *
 * @example parameters.get('BootstrapVersion') // '30'
 */
export const LOCAL_BOOTSTRAP_VERSION = '30';

/**
 * What a provisioner gets for one resource.
 *
 * @example const provisioner: Provisioner = async ({ identity, properties }) => createQueue(identity.ref, properties);
 */
export interface ProvisionRequest {
  readonly plan: StackPlan;
  readonly logicalId: string;
  readonly type: string;
  readonly resource: CfnResource;
  /** The resource's properties with every intrinsic resolved. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** CloudFormation's `Ref`/`Fn::GetAtt` values, computed from the generated physical name. */
  readonly identity: ResourceIdentity;
}

/**
 * Creates one resource locally; returns its identity when the local service decided it (stream ARN, queue URL).
 *
 * @example const provisioners = { 'AWS::SQS::Queue': (async ({ identity }) => undefined) satisfies Provisioner };
 */
export type Provisioner = (request: ProvisionRequest) => Promise<ResourceIdentity | void>;

/**
 * A deployed resource.
 *
 * @example const table = stack.resources.get('UsersTable6D91A5EE')?.identity.ref;
 */
export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly identity: ResourceIdentity;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * A deployed stack.
 *
 * @example const [stack] = await deployStacks(plans, { provisioners }); stack?.outputs;
 */
export interface DeployedStack {
  readonly plan: StackPlan;
  readonly resources: ReadonlyMap<string, DeployedResource>;
  readonly outputs: Readonly<Record<string, unknown>>;
}

/**
 * Options of {@link deployStacks}.
 *
 * @example await deployStacks(plans, { provisioners, parameterOverrides: { Users: { Stage: 'dev' } } });
 */
export interface DeployOptions {
  /** One provisioner per supported resource type; a type without one only gets its identity. */
  readonly provisioners: Readonly<Partial<Record<string, Provisioner>>>;
  /** SSM parameters that exist before the first stack (name → value). @default none */
  readonly ssmParameters?: ReadonlyMap<string, string>;
  /**
   * Changes a resource's resolved properties before it is created. For tests only (e.g. a short queue visibility
   * timeout so a retry-to-DLQ test takes seconds); `npm start` never uses it. @default none
   */
  readonly propertyOverrides?: (
    target: { readonly stackName: string; readonly logicalId: string; readonly type: string },
    properties: Record<string, unknown>,
  ) => Record<string, unknown>;
  /** Template parameter overrides by stack name. @default none */
  readonly parameterOverrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * Deploys stacks in the given order (see `orderStacks`) the way CloudFormation would: resolves each template's
 * parameters (SSM parameter references from the SSM parameters earlier stacks created), skips resources whose
 * condition is false, resolves each resource's properties and hands them to the provisioner of its type.
 *
 * @example const stacks = await deployStacks(orderStacks(plans), { provisioners: { 'AWS::DynamoDB::Table': createTable } });
 */
export async function deployStacks(
  plans: readonly StackPlan[],
  options: DeployOptions,
): Promise<DeployedStack[]> {
  const ssm = new Map(options.ssmParameters ?? []);
  const deployed: DeployedStack[] = [];
  for (const plan of plans) {
    const { stackName, template } = plan.input;
    const parameters = new Map<string, unknown>();
    const overrides = options.parameterOverrides?.[stackName] ?? {};
    for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
      const ssmName = plan.ssmReads.get(name);
      if (overrides[name] !== undefined) parameters.set(name, overrides[name]);
      else if (ssmName?.startsWith('/cdk-bootstrap/')) parameters.set(name, LOCAL_BOOTSTRAP_VERSION);
      else if (ssmName !== undefined) {
        const value = ssm.get(ssmName);
        if (value === undefined) throw new MissingSsmParameterError(stackName, name, ssmName);
        parameters.set(name, parameter.Type.includes('List<') ? value.split(',') : value);
      } else if (parameter.Default !== undefined) {
        parameters.set(
          name,
          parameter.Type === 'CommaDelimitedList' ? String(parameter.Default).split(',') : parameter.Default,
        );
      }
    }
    const identities = new Map<string, ResourceIdentity>();
    const ctx: ResolveContext = {
      stackName,
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
      template,
      parameters,
      resources: identities,
    };
    const resources = new Map<string, DeployedResource>();
    for (const planned of plan.resources) {
      const { logicalId, type, resource } = planned;
      if (resource.Condition && !evaluateCondition(resource.Condition, ctx)) continue;
      const input = { stackName, logicalId, account: ctx.account, region: ctx.region };
      if (planned.support !== 'supported') {
        const properties = safeResolve(resource.Properties ?? {}, ctx);
        identities.set(logicalId, ignoredIdentity(type, { ...input, properties }));
        continue;
      }
      const resolved = resolveValue(resource.Properties ?? {}, ctx) as Record<string, unknown>;
      const properties = options.propertyOverrides?.({ stackName, logicalId, type }, resolved) ?? resolved;
      let identity = (
        SUPPORTED_RESOURCE_TYPES[type] as NonNullable<(typeof SUPPORTED_RESOURCE_TYPES)[string]>
      )({
        ...input,
        properties,
      });
      const provisioner = options.provisioners[type];
      if (provisioner) {
        try {
          identity =
            (await provisioner({ plan, logicalId, type, resource, properties, identity })) ?? identity;
        } catch (error) {
          if (error instanceof ProvisioningError) throw error;
          throw new ProvisioningError(
            `${stackName}/${logicalId} (${type}) could not be created locally: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
      if (type === 'AWS::SSM::Parameter') ssm.set(identity.ref, String(properties.Value));
      identities.set(logicalId, identity);
      resources.set(logicalId, { logicalId, type, properties, identity, metadata: resource.Metadata ?? {} });
    }
    const outputs: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      if (output.Condition && !evaluateCondition(output.Condition, ctx)) continue;
      outputs[name] = resolveValue(output.Value, ctx);
    }
    deployed.push({ plan, resources, outputs });
  }
  return deployed;
}

/** Ignored resources may reference things the runtime does not model; their properties are informative only. */
function safeResolve(value: unknown, ctx: ResolveContext): Record<string, unknown> {
  try {
    const resolved = resolveValue(value, ctx);
    return resolved === NO_VALUE ? {} : (resolved as Record<string, unknown>);
  } catch {
    return {};
  }
}
