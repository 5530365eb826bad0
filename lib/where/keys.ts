/**
 * The conditions and keys a filter uses: for the validator, the limits on
 * conditions, and planoai-style `Unknown --where key(s): foo` checks.
 */
import type { FieldRef, WhereExpr } from './ast';
import { unreachable } from './exhaustive';

export type Condition = Extract<WhereExpr, { type: 'compare' | 'exists' }>;

/** The conditions (`key op value`, `key exists`) of the AST, left to right (iterative: no recursion limit). */
export function collectConditions(ast: WhereExpr | null): Condition[] {
  const out: Condition[] = [];
  const stack: WhereExpr[] = ast ? [ast] : [];
  while (stack.length > 0) {
    const e = stack.pop()!;
    switch (e.type) {
      case 'and':
      case 'or':
        stack.push(e.right, e.left);
        break;
      case 'not':
        stack.push(e.operand);
        break;
      case 'compare':
      case 'exists':
        out.push(e);
        break;
      default:
        unreachable(e, 'filter node');
    }
  }
  return out;
}

/** Every field reference of the AST, left to right. */
export function collectFieldRefs(ast: WhereExpr | null): FieldRef[] {
  return collectConditions(ast).map((c) => c.field);
}

/** Attribute keys the filter uses (intrinsics excluded), de-duplicated, in order of first use. */
export function collectFieldKeys(ast: WhereExpr | null): string[] {
  const seen = new Set<string>();
  for (const f of collectFieldRefs(ast)) if (f.kind === 'attribute') seen.add(f.key);
  return [...seen];
}

/**
 * Attribute keys of the filter that are not in `knownKeys` (e.g. the keys seen
 * in stored spans), in order of first use. Intrinsics are always known.
 */
export function unknownKeys(ast: WhereExpr | null, knownKeys: Iterable<string>): string[] {
  const known = knownKeys instanceof Set ? (knownKeys as Set<string>) : new Set(knownKeys);
  return collectFieldKeys(ast).filter((k) => !known.has(k));
}

/** `Unknown --where key(s): a, b` (planoai's wording), or null when there are none. */
export function unknownKeysMessage(keys: readonly string[]): string | null {
  return keys.length === 0 ? null : `Unknown --where key(s): ${keys.join(', ')}`;
}
