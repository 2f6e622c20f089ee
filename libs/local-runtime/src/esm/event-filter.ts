import type { RecordFilter } from './types';

type Rule = (value: unknown, present: boolean) => boolean;

/**
 * Compiles a Lambda event filter pattern (the EventBridge pattern syntax: exact values, `prefix`, `suffix`,
 * `anything-but`, `numeric`, `exists`, `equals-ignore-case`, `$or`). Hand-written fallback for when no shared matcher
 * is available; the runtime prefers `@outboxed/local-aws`'s complete EventBridge matcher.
 *
 * @example compileRecordFilter('{"eventName":["INSERT"]}').matches({ eventName: 'INSERT' }) // true
 */
export function compileRecordFilter(pattern: string): RecordFilter {
  const parsed = JSON.parse(pattern) as Record<string, unknown>;
  return { matches: (value) => matchObject(parsed, value) };
}

function matchObject(pattern: Record<string, unknown>, value: unknown): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === '$or') return (sub as Record<string, unknown>[]).some((alt) => matchObject(alt, value));
    const field =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    const present = value !== null && typeof value === 'object' && key in (value as object);
    if (Array.isArray(sub)) {
      const values = Array.isArray(field) ? field : [field];
      return sub.some((rule) => values.some((v) => toRule(rule)(v, present)));
    }
    return matchObject(sub as Record<string, unknown>, field);
  });
}

function toRule(rule: unknown): Rule {
  if (rule === null || typeof rule !== 'object') return (v, present) => present && v === rule;
  const [op, arg] = Object.entries(rule as Record<string, unknown>)[0] ?? [];
  switch (op) {
    case 'prefix':
      return (v) => typeof v === 'string' && v.startsWith(String(arg));
    case 'suffix':
      return (v) => typeof v === 'string' && v.endsWith(String(arg));
    case 'equals-ignore-case':
      return (v) => typeof v === 'string' && v.toLowerCase() === String(arg).toLowerCase();
    case 'exists':
      return (_v, present) => present === arg;
    case 'anything-but': {
      const inner = Array.isArray(arg) ? arg.map(toRule) : [toRule(arg)];
      return (v, present) => present && !inner.some((r) => r(v, present));
    }
    case 'numeric': {
      const terms = arg as (string | number)[];
      return (v) => {
        if (typeof v !== 'number') return false;
        for (let i = 0; i < terms.length; i += 2) {
          const bound = Number(terms[i + 1]);
          const ok = { '<': v < bound, '<=': v <= bound, '=': v === bound, '>': v > bound, '>=': v >= bound }[
            String(terms[i])
          ];
          if (!ok) return false;
        }
        return true;
      };
    }
    default:
      throw new Error(`filter operator ${String(op)} is not supported by the fallback matcher`);
  }
}
