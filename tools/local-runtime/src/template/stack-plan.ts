import { TemplateResolutionError } from '../errors';
import { referencedLogicalIds } from './intrinsics';
import { IGNORED_RESOURCE_TYPES, SUPPORTED_RESOURCE_TYPES } from './resource-types';
import type { CfnResource, CfnTemplate } from './types';

/**
 * One synthesized stack: which app it belongs to, its name, template and cloud assembly folder.
 *
 * @example const input: StackInput = { app: 'users-service', stackName: 'UsersService', template, assemblyDir: 'cdk.out' };
 */
export interface StackInput {
  readonly app: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** The cloud assembly folder (`apps/<app>/cdk.out`): asset paths are relative to it. */
  readonly assemblyDir: string;
  /** Stacks of the same app this one depends on (the manifest's `dependencies`). */
  readonly dependencies?: readonly string[];
}

/**
 * How the runtime treats a resource.
 *
 * @example plan.resources.filter((r) => r.support === 'unsupported');
 */
export type ResourceSupport = 'supported' | 'ignored' | 'unsupported';

/**
 * A resource in the order it is created.
 *
 * @example for (const r of planStack(input).resources) console.log(r.logicalId, r.support, r.reason);
 */
export interface PlannedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly resource: CfnResource;
  readonly support: ResourceSupport;
  /** For ignored resources: why they have no local meaning. */
  readonly reason?: string;
}

/**
 * A stack ready to deploy: resources in dependency order, and the SSM parameters it reads and writes.
 *
 * @example const plan = planStack(input); plan.ssmReads.get('BusNameParameter') // '/outboxed/users/event-bus-name'
 */
export interface StackPlan {
  readonly input: StackInput;
  readonly resources: readonly PlannedResource[];
  /** Template parameter name → the SSM parameter name it reads (`AWS::SSM::Parameter::Value<…>`). */
  readonly ssmReads: ReadonlyMap<string, string>;
  /** SSM parameter names the stack creates (literal names only). */
  readonly ssmWrites: readonly string[];
}

/**
 * A resource the runtime cannot run, reported by logical id and type.
 *
 * @example unsupportedResources(plans).map((u) => `${u.stackName}/${u.logicalId} (${u.type})`);
 */
export interface UnsupportedResource {
  readonly app: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
}

/**
 * Classifies every resource of a stack (supported, ignored with a reason, or unsupported) and orders them so each
 * comes after what it references (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`), as CloudFormation does.
 *
 * @example const plan = planStack({ app: 'users-service', stackName: 'Users', template, assemblyDir });
 */
export function planStack(input: StackInput): StackPlan {
  const resources = input.template.Resources ?? {};
  const ids = Object.keys(resources);
  const deps = new Map<string, Set<string>>();
  for (const id of ids) {
    const r = resources[id] as CfnResource;
    const found = referencedLogicalIds(r.Properties ?? {});
    for (const d of [r.DependsOn ?? []].flat()) found.add(d);
    deps.set(id, new Set([...found].filter((d) => d !== id && d in resources)));
  }
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      throw new TemplateResolutionError(input.stackName, `circular dependency: ${[...path, id].join(' → ')}`);
    }
    state.set(id, 'visiting');
    for (const d of deps.get(id) ?? []) visit(d, [...path, id]);
    state.set(id, 'done');
    ordered.push(id);
  };
  for (const id of ids) visit(id, []);

  const planned = ordered.map((logicalId): PlannedResource => {
    const resource = resources[logicalId] as CfnResource;
    const type = resource.Type;
    if (SUPPORTED_RESOURCE_TYPES[type]) return { logicalId, type, resource, support: 'supported' };
    const reason = IGNORED_RESOURCE_TYPES[type];
    if (reason) return { logicalId, type, resource, support: 'ignored', reason };
    return { logicalId, type, resource, support: 'unsupported' };
  });

  const ssmReads = new Map<string, string>();
  for (const [name, parameter] of Object.entries(input.template.Parameters ?? {})) {
    if (parameter.Type.startsWith('AWS::SSM::Parameter::Value<') && typeof parameter.Default === 'string') {
      ssmReads.set(name, parameter.Default);
    }
  }
  const ssmWrites = planned
    .filter((r) => r.type === 'AWS::SSM::Parameter' && typeof r.resource.Properties?.Name === 'string')
    .map((r) => r.resource.Properties?.Name as string);
  return { input, resources: planned, ssmReads, ssmWrites };
}

/**
 * Orders stacks producers first: a stack reading an SSM parameter comes after the stack that creates it, and after
 * the stacks its manifest says it depends on.
 *
 * @example const ordered = orderStacks(plans.map(planStack));
 */
export function orderStacks(plans: readonly StackPlan[]): StackPlan[] {
  const writer = new Map<string, StackPlan>();
  for (const plan of plans) for (const name of plan.ssmWrites) writer.set(name, plan);
  const byName = new Map(plans.map((p) => [p.input.stackName, p]));
  const ordered: StackPlan[] = [];
  const state = new Map<StackPlan, 'visiting' | 'done'>();
  const visit = (plan: StackPlan, path: string[]): void => {
    if (state.get(plan) === 'done') return;
    if (state.get(plan) === 'visiting') {
      throw new TemplateResolutionError(
        plan.input.stackName,
        `stacks depend on each other in a cycle: ${path.join(' → ')}`,
      );
    }
    state.set(plan, 'visiting');
    const before = [
      ...[...plan.ssmReads.values()].map((name) => writer.get(name)),
      ...(plan.input.dependencies ?? []).map((name) => byName.get(name)),
    ];
    for (const dep of before) if (dep && dep !== plan) visit(dep, [...path, dep.input.stackName]);
    state.set(plan, 'done');
    ordered.push(plan);
  };
  for (const plan of plans) visit(plan, [plan.input.stackName]);
  return ordered;
}

/**
 * Every resource of the plans the runtime can neither run nor ignore.
 *
 * @example for (const r of unsupportedResources(plans)) console.warn(`${r.stackName}/${r.logicalId} (${r.type})`);
 */
export function unsupportedResources(plans: readonly StackPlan[]): UnsupportedResource[] {
  return plans.flatMap((plan) =>
    plan.resources
      .filter((r) => r.support === 'unsupported')
      .map((r) => ({
        app: plan.input.app,
        stackName: plan.input.stackName,
        logicalId: r.logicalId,
        type: r.type,
      })),
  );
}
