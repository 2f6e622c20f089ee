import ipaddr from 'ipaddr.js';
import { AwsServiceError } from '../errors';

/**
 * A compiled EventBridge event pattern: validated once (as PutRule and TestEventPattern do), then matched many times.
 *
 * Hand-written: AWS's matcher (aws/event-ruler) is Java, and no maintained JavaScript library implements every
 * operator with AWS's semantics. The rules followed here, each from AWS's "Event patterns" and "Comparison
 * operators" pages: a pattern field's array matches when ANY of its values matches; an array in the event matches
 * when ANY of its elements matches; fields are ANDed; matching is on leaf values only (an object is not a value);
 * `null` and `""` are distinct values; a missing field matches only `{"exists": false}`; `$or` takes two or more
 * sub-patterns of which any may match.
 *
 * @example
 * const pattern = compileEventPattern('{"source":["outboxed.users"]}');
 * pattern.matches({ source: 'outboxed.users', detail: {} }); // true
 */
export interface CompiledEventPattern {
  /** The pattern as given (JSON text). */
  readonly source: string;
  /** True when `event` (a parsed EventBridge event) matches. */
  matches(event: unknown): boolean;
}

type Leaf = string | number | boolean | null;
type LeafMatcher = (value: Leaf) => boolean;
/** Matches the set of leaf values found at one path; `values` is empty when the field is missing. */
interface FieldMatcher {
  readonly matchesMissing: boolean;
  readonly test: LeafMatcher;
}
type Node = ObjectNode;
interface ObjectNode {
  readonly fields: ReadonlyArray<{
    readonly key: string;
    readonly leaf?: FieldMatcher;
    readonly child?: Node;
  }>;
  readonly or: readonly (readonly Node[])[];
}

/** Thrown (as AWS does) for a pattern that is not valid: `InvalidEventPatternException`. */
function invalid(reason: string): AwsServiceError {
  return new AwsServiceError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses and validates an event pattern, throwing `InvalidEventPatternException` (an {@link AwsServiceError})
 * with AWS's message style ("Event pattern is not valid. Reason: …") when it is malformed.
 *
 * @example compileEventPattern('{"detail":{"amount":[{"numeric":[">",0]}]}}').matches(event)
 */
export function compileEventPattern(pattern: string): CompiledEventPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(pattern);
  } catch (error) {
    throw invalid(`Filter is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw invalid('Filter is not an object');
  const root = compileObject(parsed, '');
  return { source: pattern, matches: (event) => matchObject(root, event) };
}

function compileObject(pattern: Record<string, unknown>, path: string): ObjectNode {
  const fields: { key: string; leaf?: FieldMatcher; child?: Node }[] = [];
  const or: Node[][] = [];
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw invalid(`Empty objects are not allowed${path ? ` at "${path}"` : ''}`);
  for (const key of keys) {
    const value = pattern[key];
    const at = path ? `${path}.${key}` : key;
    if (key === '$or' && isOrPrimitive(value)) {
      or.push(value.map((branch) => compileObject(branch, path)));
    } else if (Array.isArray(value)) {
      fields.push({ key, leaf: compileLeafList(value, at) });
    } else if (isObject(value)) {
      fields.push({ key, child: compileObject(value, at) });
    } else {
      throw invalid(`"${key}" must be an object or an array`);
    }
  }
  return { fields, or };
}

const RESERVED = new Set([
  'anything-but',
  'cidr',
  'equals-ignore-case',
  'exists',
  'numeric',
  'prefix',
  'suffix',
  'wildcard',
]);

/**
 * `$or` is the OR primitive only when it holds an array of two or more objects none of whose keys is an operator
 * name; otherwise it is an ordinary field name (event-ruler's backward-compatible reading, which EventBridge uses).
 */
function isOrPrimitive(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((branch) => isObject(branch) && Object.keys(branch).every((k) => !RESERVED.has(k)))
  );
}

function compileLeafList(values: readonly unknown[], at: string): FieldMatcher {
  if (values.length === 0) throw invalid(`Empty arrays are not allowed at "${at}"`);
  const matchers = values.map((v) => compileLeaf(v, at));
  const tests = matchers.map((m) => m.test);
  return {
    matchesMissing: matchers.some((m) => m.matchesMissing),
    test: (value) => tests.some((t) => t(value)),
  };
}

const NEVER: LeafMatcher = () => false;

function compileLeaf(value: unknown, at: string): FieldMatcher {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return { matchesMissing: false, test: (v) => v === value };
  }
  if (typeof value === 'number') {
    return { matchesMissing: false, test: (v) => typeof v === 'number' && v === value };
  }
  if (!isObject(value)) throw invalid(`Match value must be String, number, true, false, or null at "${at}"`);
  const entries = Object.entries(value);
  if (entries.length !== 1) throw invalid(`Only one key allowed in match expression at "${at}"`);
  const [operator, operand] = entries[0] as [string, unknown];
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean')
        throw invalid(`exists match pattern must be either true or false at "${at}"`);
      return operand ? { matchesMissing: false, test: () => true } : { matchesMissing: true, test: NEVER };
    case 'prefix':
    case 'suffix':
      return { matchesMissing: false, test: affixTest(operator, operand, at) };
    case 'equals-ignore-case': {
      const expected = requireString(operand, operator, at).toLowerCase();
      return { matchesMissing: false, test: (v) => typeof v === 'string' && v.toLowerCase() === expected };
    }
    case 'wildcard': {
      const regex = wildcardRegex(requireString(operand, operator, at), at);
      return { matchesMissing: false, test: (v) => typeof v === 'string' && regex.test(v) };
    }
    case 'numeric':
      return { matchesMissing: false, test: numericTest(operand, at) };
    case 'cidr':
      return { matchesMissing: false, test: cidrTest(operand, at) };
    case 'anything-but':
      return { matchesMissing: false, test: anythingButTest(operand, at) };
    default:
      throw invalid(`Unrecognized match type ${operator} at "${at}"`);
  }
}

function requireString(operand: unknown, operator: string, at: string): string {
  if (typeof operand !== 'string') throw invalid(`${operator} match pattern must be a string at "${at}"`);
  return operand;
}

function affixTest(operator: 'prefix' | 'suffix', operand: unknown, at: string): LeafMatcher {
  let expected: string;
  let ignoreCase = false;
  if (typeof operand === 'string') {
    expected = operand;
  } else if (isObject(operand) && Object.keys(operand).length === 1 && 'equals-ignore-case' in operand) {
    expected = requireString(
      operand['equals-ignore-case'],
      `${operator} equals-ignore-case`,
      at,
    ).toLowerCase();
    ignoreCase = true;
  } else {
    throw invalid(`${operator} match pattern must be a string or an equals-ignore-case object at "${at}"`);
  }
  return (v) => {
    if (typeof v !== 'string') return false;
    const actual = ignoreCase ? v.toLowerCase() : v;
    return operator === 'prefix' ? actual.startsWith(expected) : actual.endsWith(expected);
  };
}

/** `*` matches any run of characters; `\*` a literal star, `\\` a backslash; `**` is rejected as AWS does. */
function wildcardRegex(pattern: string, at: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw invalid(`Invalid escape character at pos ${i} at "${at}"`);
      source += `\\${next}`;
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') throw invalid(`Consecutive wildcard characters at pos ${i + 1} at "${at}"`);
      source += '.*';
    } else {
      source += c.replace(/[.+?^${}()|[\]/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

function numericTest(operand: unknown, at: string): LeafMatcher {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw invalid(`Value of numeric must be an array of operator and number pairs at "${at}"`);
  }
  const checks: ((n: number) => boolean)[] = [];
  let lower: number | undefined;
  let upper: number | undefined;
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const n = operand[i + 1];
    if (typeof op !== 'string' || !NUMERIC_OPERATORS.has(op)) {
      throw invalid(`Unrecognized numeric range operator: ${JSON.stringify(op)} at "${at}"`);
    }
    if (typeof n !== 'number') throw invalid(`Value of ${op} must be numeric at "${at}"`);
    if (op === '=') {
      if (operand.length !== 2) throw invalid(`"=" must be the only numeric operator at "${at}"`);
      checks.push((x) => x === n);
    } else if (op.startsWith('>')) {
      if (lower !== undefined) throw invalid(`Too many lower bounds in numeric range at "${at}"`);
      lower = n;
      checks.push(op === '>' ? (x) => x > n : (x) => x >= n);
    } else {
      if (upper !== undefined) throw invalid(`Too many upper bounds in numeric range at "${at}"`);
      upper = n;
      checks.push(op === '<' ? (x) => x < n : (x) => x <= n);
    }
  }
  if (lower !== undefined && upper !== undefined && lower >= upper) {
    throw invalid(`Bottom must be less than top in numeric range at "${at}"`);
  }
  return (v) => typeof v === 'number' && checks.every((check) => check(v));
}

function cidrTest(operand: unknown, at: string): LeafMatcher {
  if (typeof operand !== 'string') throw invalid(`cidr match pattern must be a string at "${at}"`);
  let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    range = ipaddr.parseCIDR(operand);
  } catch {
    throw invalid(`Nonstandard IP address: ${operand} at "${at}"`);
  }
  return (v) => {
    if (typeof v !== 'string' || !ipaddr.isValid(v)) return false;
    const address = ipaddr.parse(v);
    return address.kind() === range[0].kind() && address.match(range);
  };
}

function anythingButTest(operand: unknown, at: string): LeafMatcher {
  const excluded =
    (test: LeafMatcher): LeafMatcher =>
    (v) =>
      !test(v);
  if (typeof operand === 'string' || typeof operand === 'number') {
    return excluded(compileLeaf(operand, at).test);
  }
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw invalid(`Empty arrays are not allowed in anything-but at "${at}"`);
    if (!operand.every((v) => typeof v === 'string') && !operand.every((v) => typeof v === 'number')) {
      throw invalid(`Inside anything-but list, mixed types and objects are not supported at "${at}"`);
    }
    const set = new Set<Leaf>(operand as Leaf[]);
    return (v) => !set.has(v);
  }
  if (!isObject(operand) || Object.keys(operand).length !== 1) {
    throw invalid(
      `Value of anything-but must be an array, a string, a number or one operator object at "${at}"`,
    );
  }
  const [operator, inner] = Object.entries(operand)[0] as [string, unknown];
  const innerValues = Array.isArray(inner) ? inner : [inner];
  if (innerValues.length === 0 || !innerValues.every((v) => typeof v === 'string')) {
    throw invalid(`Value of anything-but ${operator} must be a string or an array of strings at "${at}"`);
  }
  let tests: LeafMatcher[];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      tests = innerValues.map((v) => affixTest(operator, v, at));
      break;
    case 'equals-ignore-case':
      tests = innerValues.map((v) => compileLeaf({ 'equals-ignore-case': v }, at).test);
      break;
    case 'wildcard':
      tests = innerValues.map((v) => compileLeaf({ wildcard: v }, at).test);
      break;
    default:
      throw invalid(`Unsupported anything-but pattern: ${operator} at "${at}"`);
  }
  // anything-but on prefix/suffix/equals-ignore-case/wildcard only applies to string values
  return (v) => typeof v === 'string' && !tests.some((t) => t(v));
}

/** The leaf values at a field: scalars, or the scalar elements of an array (nested arrays flattened). */
function leafValues(value: unknown): Leaf[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => leafValues(v));
  if (isObject(value)) return [];
  return [value as Leaf];
}

function matchObject(node: ObjectNode, value: unknown): boolean {
  // an array of objects matches when one of its elements matches the whole sub-pattern
  if (Array.isArray(value)) {
    const objects = value.filter(isObject);
    if (objects.length > 0) return objects.some((element) => matchObject(node, element));
  }
  const object = isObject(value) ? value : undefined;
  for (const field of node.fields) {
    const fieldValue = object?.[field.key];
    if (field.child) {
      if (!matchObject(field.child, fieldValue)) return false;
      continue;
    }
    const leaf = field.leaf as FieldMatcher;
    const values = leafValues(fieldValue);
    if (values.length === 0) {
      if (!leaf.matchesMissing) return false;
    } else if (!values.some((v) => leaf.test(v))) {
      return false;
    }
  }
  return node.or.every((branches) => branches.some((branch) => matchObject(branch, value)));
}
