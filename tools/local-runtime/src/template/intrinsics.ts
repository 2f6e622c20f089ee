import { ImportValueNotSupportedError, TemplateResolutionError } from '../errors';
import type { CfnTemplate, ResourceIdentity } from './types';

/**
 * The account every local resource lives in (the offline account the stacks synthesize for).
 *
 * @example `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:queue`
 */
export const LOCAL_ACCOUNT = '000000000000';
/**
 * The region every local resource lives in.
 *
 * @example `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:queue`
 */
export const LOCAL_REGION = 'us-east-1';

/**
 * What a resolver needs to evaluate intrinsic functions in one stack.
 *
 * @example resolveValue({ Ref: 'AWS::Region' }, { stackName, account, region, template, parameters: new Map(), resources: new Map() });
 */
export interface ResolveContext {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
  /** Resolved template parameter values by name. */
  readonly parameters: ReadonlyMap<string, unknown>;
  /** Resources that exist already, by logical id. */
  readonly resources: ReadonlyMap<string, ResourceIdentity>;
}

/**
 * The value `Ref: AWS::NoValue` resolves to; properties holding it are removed.
 *
 * @example if (resolveValue({ Ref: 'AWS::NoValue' }, ctx) === NO_VALUE) { dropTheProperty(); }
 */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

const pseudo = (ctx: ResolveContext): Record<string, unknown> => ({
  'AWS::AccountId': ctx.account,
  'AWS::Region': ctx.region,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': ctx.stackName,
  'AWS::StackId': `arn:aws:cloudformation:${ctx.region}:${ctx.account}:stack/${ctx.stackName}/local`,
  'AWS::NotificationARNs': [],
  'AWS::NoValue': NO_VALUE,
});

/**
 * Resolves every intrinsic function CloudFormation would resolve in `value`: `Ref` (resources, parameters,
 * pseudo parameters), `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` (both forms), `Fn::Select`, `Fn::Split`, `Fn::If`,
 * `Fn::Equals`/`Fn::And`/`Fn::Or`/`Fn::Not`/`Condition`, `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs`,
 * `Fn::ToJsonString`. `Fn::ImportValue` throws: there are no exports in this workspace by design.
 * Hand-written: CloudFormation's resolver is a service, there is no library for it.
 *
 * @example resolveValue({ 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }]] }, ctx) // 'a-us-east-1'
 */
export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolveValue(v, ctx)).filter((v) => v !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    if (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))
      return resolveIntrinsic(key, arg, ctx);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    const resolved = resolveValue(v, ctx);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function fail(ctx: ResolveContext, detail: string): never {
  throw new TemplateResolutionError(ctx.stackName, detail);
}

function resolveIntrinsic(fn: string, arg: unknown, ctx: ResolveContext): unknown {
  switch (fn) {
    case 'Ref':
      return ref(String(arg), ctx);
    case 'Fn::GetAtt': {
      const [id, attr] =
        typeof arg === 'string' ? splitOnce(arg, '.') : (resolveValue(arg, ctx) as [string, string]);
      return getAtt(id, attr, ctx);
    }
    case 'Fn::Join': {
      const [delimiter, list] = asArray(arg, 2, fn, ctx);
      const items = resolveValue(list, ctx);
      if (!Array.isArray(items)) fail(ctx, `Fn::Join needs a list, got ${JSON.stringify(items)}`);
      return items.map((i) => scalar(i, fn, ctx)).join(String(delimiter));
    }
    case 'Fn::Sub':
      return sub(arg, ctx);
    case 'Fn::Select': {
      const [index, list] = asArray(arg, 2, fn, ctx);
      const items = resolveValue(list, ctx);
      const i = Number(resolveValue(index, ctx));
      if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
        fail(ctx, `Fn::Select index ${i} is out of range of ${JSON.stringify(items)}`);
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [delimiter, source] = asArray(arg, 2, fn, ctx);
      return scalar(resolveValue(source, ctx), fn, ctx).split(String(delimiter));
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = asArray(arg, 3, fn, ctx);
      return resolveValue(evaluateCondition(String(condition), ctx) ? whenTrue : whenFalse, ctx);
    }
    case 'Condition':
      return evaluateCondition(String(arg), ctx);
    case 'Fn::Equals': {
      const [a, b] = asArray(arg, 2, fn, ctx);
      return JSON.stringify(resolveValue(a, ctx)) === JSON.stringify(resolveValue(b, ctx));
    }
    case 'Fn::Not':
      return !(asArray(arg, 1, fn, ctx).map((c) => resolveValue(c, ctx))[0] as boolean);
    case 'Fn::And':
      return (arg as unknown[]).every((c) => resolveValue(c, ctx) === true);
    case 'Fn::Or':
      return (arg as unknown[]).some((c) => resolveValue(c, ctx) === true);
    case 'Fn::FindInMap': {
      const [map, top, second] = asArray(arg, 3, fn, ctx).map((v) => String(resolveValue(v, ctx)));
      const found = ctx.template.Mappings?.[map as string]?.[top as string]?.[second as string];
      if (found === undefined) fail(ctx, `Fn::FindInMap: no ${map}.${top}.${second} in Mappings`);
      return found;
    }
    case 'Fn::Base64':
      return Buffer.from(scalar(resolveValue(arg, ctx), fn, ctx), 'utf8').toString('base64');
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((z) => `${ctx.region}${z}`);
    case 'Fn::ToJsonString':
      return JSON.stringify(resolveValue(arg, ctx));
    case 'Fn::ImportValue':
      throw new ImportValueNotSupportedError(ctx.stackName, resolveValue(arg, ctx));
    default:
      return fail(ctx, `intrinsic function ${fn} is not supported by the local runtime`);
  }
}

/**
 * Evaluates a named condition of the template's `Conditions` section.
 *
 * @example evaluateCondition('IsProd', ctx) // false
 */
export function evaluateCondition(name: string, ctx: ResolveContext): boolean {
  const definition = ctx.template.Conditions?.[name];
  if (definition === undefined) fail(ctx, `condition ${name} is not defined in Conditions`);
  const result = resolveValue(definition, ctx);
  if (typeof result !== 'boolean') fail(ctx, `condition ${name} does not evaluate to a boolean`);
  return result;
}

function ref(name: string, ctx: ResolveContext): unknown {
  const pseudoValues = pseudo(ctx);
  if (name in pseudoValues) return pseudoValues[name];
  if (ctx.parameters.has(name)) return ctx.parameters.get(name);
  const resource = ctx.resources.get(name);
  if (resource) return resource.ref;
  if (ctx.template.Resources?.[name])
    fail(ctx, `Ref ${name}: the resource does not exist yet (or was not created)`);
  return fail(ctx, `Ref ${name}: no parameter, resource or pseudo parameter of that name`);
}

function getAtt(id: string, attribute: string, ctx: ResolveContext): unknown {
  const resource = ctx.resources.get(id);
  if (!resource) fail(ctx, `Fn::GetAtt ${id}.${attribute}: resource ${id} does not exist (yet)`);
  if (!(attribute in resource.attributes)) {
    fail(
      ctx,
      `Fn::GetAtt ${id}.${attribute}: the local runtime has no attribute ${attribute} for ${id} ` +
        `(known: ${Object.keys(resource.attributes).join(', ') || 'none'})`,
    );
  }
  return resource.attributes[attribute];
}

function sub(arg: unknown, ctx: ResolveContext): string {
  const [text, variables] = typeof arg === 'string' ? [arg, {}] : asArray(arg, 2, 'Fn::Sub', ctx);
  const vars = resolveValue(variables, ctx) as Record<string, unknown>;
  return String(text).replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in vars) return scalar(vars[name], 'Fn::Sub', ctx);
    if (name.includes('.') && !name.startsWith('AWS::')) {
      const [id, attribute] = splitOnce(name, '.');
      return scalar(getAtt(id, attribute, ctx), 'Fn::Sub', ctx);
    }
    return scalar(ref(name, ctx), 'Fn::Sub', ctx);
  });
}

function scalar(value: unknown, fn: string, ctx: ResolveContext): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return fail(ctx, `${fn} needs a string, got ${JSON.stringify(value)}`);
}

function asArray(arg: unknown, length: number, fn: string, ctx: ResolveContext): unknown[] {
  if (!Array.isArray(arg) || arg.length < length)
    fail(ctx, `${fn} needs a list of ${length}, got ${JSON.stringify(arg)}`);
  return arg;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * The logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${Id}`/`${Id.Attr}` in `Fn::Sub`): what must exist first.
 *
 * @example referencedLogicalIds({ 'Fn::GetAtt': ['Table', 'Arn'] }) // Set { 'Table' }
 */
export function referencedLogicalIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedLogicalIds(v, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof v === 'string' && !v.startsWith('AWS::')) found.add(v);
      else if (key === 'Fn::GetAtt') {
        const id = typeof v === 'string' ? splitOnce(v, '.')[0] : (v as unknown[])[0];
        if (typeof id === 'string') found.add(id);
      } else if (key === 'Fn::Sub') {
        const text = typeof v === 'string' ? v : (v as unknown[])[0];
        const vars = typeof v === 'string' ? {} : ((v as unknown[])[1] ?? {});
        for (const m of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) {
          const name = splitOnce(m[1] as string, '.')[0];
          if (!name.startsWith('AWS::') && !(name in (vars as object))) found.add(name);
        }
        referencedLogicalIds(vars, found);
      } else referencedLogicalIds(v, found);
    }
  }
  return found;
}
