import type { WhereExpr } from '../../../lib/where';
import { needsQuotes } from '../../../lib/where';

/** Deep copy of an AST without any `loc` properties. */
export function stripLoc(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripLoc);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'loc') out[k] = stripLoc(v);
    return out;
  }
  return value;
}

/**
 * stripLoc, plus: an unquoted string that cannot be written unquoted counts as
 * quoted (the serializer has to quote it; see serializer.ts).
 */
export function canonical(ast: WhereExpr | null): unknown {
  const fix = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fix);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.kind === 'string' && typeof o.text === 'string' && o.quoted === false && needsQuotes(o.text)) {
        return { ...(stripLoc(o) as object), quoted: true };
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) if (k !== 'loc') out[k] = fix(x);
      return out;
    }
    return v;
  };
  return fix(ast);
}

// Small AST builders (without loc) for expectations.
export const attr = (key: string) => ({ kind: 'attribute', key });
export const intr = (name: string) => ({ kind: 'intrinsic', name });
export const str = (text: string, quoted = false) => ({ kind: 'string', text, quoted });
export const num = (value: number, text = String(value)) => ({ kind: 'number', value, text });
export const dur = (nanos: number, text: string) => ({ kind: 'duration', nanos, text });
type F = ReturnType<typeof attr> | ReturnType<typeof intr>;
type L = ReturnType<typeof str> | ReturnType<typeof num> | ReturnType<typeof dur>;
export const cmp = (field: F | string, op: string, value: L) => ({
  type: 'compare',
  field: typeof field === 'string' ? attr(field) : field,
  op,
  value,
});
export const exists = (field: F | string, negated = false) => ({
  type: 'exists',
  field: typeof field === 'string' ? attr(field) : field,
  negated,
});
export const and = (left: unknown, right: unknown) => ({ type: 'and', left, right });
export const or = (left: unknown, right: unknown) => ({ type: 'or', left, right });
export const not = (operand: unknown) => ({ type: 'not', operand });
