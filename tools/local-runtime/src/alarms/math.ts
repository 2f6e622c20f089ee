/**
 * A compiled metric math expression: its value from the datapoints by id (`undefined` when one it needs is missing).
 *
 * @example compileExpression('100 * (e / FILL(n, 0))')({ e: 1, n: 4 }) // 25
 */
export type CompiledExpression = (values: Readonly<Record<string, number | undefined>>) => number | undefined;

type Value = number | undefined;
type Node = (values: Readonly<Record<string, Value>>) => Value;

const FUNCTIONS: Readonly<Record<string, (args: readonly Value[]) => Value>> = {
  // FILL(m, value): a missing datapoint of m becomes value
  FILL: ([m, fill]) => m ?? fill,
  ABS: ([m]) => (m === undefined ? undefined : Math.abs(m)),
};

/**
 * Compiles the arithmetic subset of CloudWatch metric math the runtime evaluates: numbers, metric ids, `+ - * /`,
 * parentheses, `FILL(m, value)` and `ABS(m)`. Anything else (other functions, `SEARCH`, `METRICS()`, …) throws an
 * error naming it, so the alarm is reported as not evaluated locally. Division by zero gives no datapoint.
 *
 * @example compileExpression('m1 + m2', ['m1', 'm2'])({ m1: 1, m2: 2 }) // 3
 */
export function compileExpression(expression: string, ids: readonly string[]): CompiledExpression {
  const tokens = expression.match(/\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|[-+*/(),]|\S)/g) ?? [];
  const list = tokens.map((t) => t.trim());
  let at = 0;
  const peek = () => list[at];
  const next = () => list[at++];
  const fail = (what: string): never => {
    throw new Error(`metric math ${what} in "${expression}" is not evaluated locally`);
  };
  const expr = (): Node => {
    let left = term();
    while (peek() === '+' || peek() === '-') {
      const op = next();
      const l = left;
      const r = term();
      left = (v) => arith(l(v), r(v), op === '+' ? (a, b) => a + b : (a, b) => a - b);
    }
    return left;
  };
  const term = (): Node => {
    let left = unary();
    while (peek() === '*' || peek() === '/') {
      const op = next();
      const l = left;
      const r = unary();
      left = (v) => arith(l(v), r(v), op === '*' ? (a, b) => a * b : (a, b) => (b === 0 ? undefined : a / b));
    }
    return left;
  };
  const unary = (): Node => {
    if (peek() === '-') {
      next();
      const inner = unary();
      return (v) => {
        const x = inner(v);
        return x === undefined ? undefined : -x;
      };
    }
    return primary();
  };
  const primary = (): Node => {
    const token = next();
    if (token === undefined) return fail('ends early');
    if (token === '(') {
      const inner = expr();
      if (next() !== ')') fail('misses a closing parenthesis');
      return inner;
    }
    if (/^\d/.test(token)) {
      const n = Number(token);
      return () => n;
    }
    if (/^[A-Za-z_]/.test(token)) {
      if (peek() === '(') {
        next();
        const fn = FUNCTIONS[token.toUpperCase()] ?? fail(`function ${token}()`);
        const args: Node[] = [];
        if (peek() !== ')') {
          args.push(expr());
          while (peek() === ',') {
            next();
            args.push(expr());
          }
        }
        if (next() !== ')') fail(`call ${token}( misses a closing parenthesis`);
        return (v) => fn(args.map((a) => a(v)));
      }
      if (!ids.includes(token)) fail(`id ${token} (no metric or expression has it)`);
      return (v) => v[token];
    }
    return fail(`token "${token}"`);
  };
  const root = expr();
  if (at < list.length) fail(`token "${list[at] ?? ''}"`);
  return root;
}

function arith(a: Value, b: Value, op: (a: number, b: number) => Value): Value {
  return a === undefined || b === undefined ? undefined : op(a, b);
}
