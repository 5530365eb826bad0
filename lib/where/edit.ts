/**
 * Pure AST edits for the filter bar: the tenant dropdown (find / set / remove a
 * top-level `key = value` conjunct) and click-to-filter (append a term).
 *
 * Every text-level helper works as parse → edit → serializeWhere, so the
 * result is canonical text (see ./serializer.ts) with the same meaning as the
 * input plus the edit. Nothing here touches a conjunct that is not at the top
 * level: `(tenant.id=a OR x=1)` or `NOT tenant.id=a` are left exactly as they
 * are.
 *
 * "Top-level conjuncts" are the operands of the AND nodes reachable from the
 * root through AND nodes only: in `a=1 AND (b=2 AND c=3) AND (d=4 OR e=5)`
 * they are `a=1`, `b=2`, `c=3` and `d=4 OR e=5` (the AND inside parentheses is
 * still an AND of the whole filter). A filter that is not an AND is its own
 * single conjunct.
 *
 * Synthesized nodes carry loc {start: 0, end: 0}; locations of untouched nodes
 * keep pointing into the old text, so only use an edited AST to serialize.
 */
import type { CompareOp, FieldRef, Literal, Span, WhereExpr } from './ast';
import { isDurationLiteral, parseDurationLiteral } from './duration';
import { parseNumberLiteral } from './literal';
import { fieldRef, parseWhere } from './parser';
import { KEY_RE } from './scanner';
import { needsQuotes, serializeLiteral, serializeWhere } from './serializer';

const NO_LOC: Span = { start: 0, end: 0 };
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'exists']);
const NUMERIC_OPS: ReadonlySet<string> = new Set(['>', '>=', '<', '<=']);
const DURATION_FIELDS: ReadonlySet<string> = new Set(['duration', 'trace.duration']);

/** Operators a term can use: the comparisons plus the two existence tests. */
export type TermOp = CompareOp | 'exists' | 'not exists';

/** A value for a comparison built by these helpers. */
export type TermValue = string | number | boolean;

/** The key of a field as written in a filter (`service`, `tenant.id`). */
export function fieldKey(field: FieldRef): string {
  return field.kind === 'intrinsic' ? field.name : field.key;
}

/** The value of a literal as text: the unescaped string, or the number/duration as written. */
export function literalText(lit: Literal): string {
  return lit.text;
}

/**
 * Whether `key` can be written in a filter: it matches [A-Za-z0-9_.:-]+.
 * With `forExists`, keys spelled like a keyword (`and`, `not`, …) are refused
 * too, since `not exists` would not read back as a test on the key `not`.
 * An attribute literally named like an intrinsic (`status`, `name`, …) can be
 * written, but always means the intrinsic.
 */
export function isFilterableKey(key: string, forExists = false): boolean {
  if (typeof key !== 'string' || !KEY_RE.test(key)) return false;
  return !(forExists && KEYWORDS.has(key.toLowerCase()));
}

/** Top-level AND conjuncts, left to right (iterative: no recursion limit). */
export function topLevelConjuncts(ast: WhereExpr | null): WhereExpr[] {
  const out: WhereExpr[] = [];
  const stack: WhereExpr[] = ast ? [ast] : [];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.type === 'and') stack.push(e.right, e.left);
    else out.push(e);
  }
  return out;
}

function isEqualsOn(e: WhereExpr, key: string): e is Extract<WhereExpr, { type: 'compare' }> {
  return e.type === 'compare' && e.op === '=' && fieldKey(e.field) === key;
}

/**
 * The value of the first top-level conjunct `key = value`, or null when there
 * is none. Comparisons nested under OR or NOT do not count. The value is the
 * literal's text: `tenant.id="a b"` → `a b`, `tenant.id=123` → `123`.
 */
export function findTopLevelEquals(ast: WhereExpr | null, key: string): string | null {
  for (const c of topLevelConjuncts(ast)) if (isEqualsOn(c, key)) return literalText(c.value);
  return null;
}

/**
 * The literal that writes `value` for `key op …`:
 * - numbers are number literals, booleans the unquoted words true / false;
 * - a string that spells a number or a duration stays a number/duration
 *   literal where the comparison needs one (`>`, `>=`, `<`, `<=`, and any
 *   operator on `duration` / `trace.duration`), and is quoted elsewhere so it
 *   is matched as text (`tenant.id = "123"`; `=` on attributes still matches a
 *   number stored as 123);
 * - any other string is written unquoted when it reads back as itself, quoted
 *   otherwise (`plano(llm)` stays bare, `rate limit exceeded` gets quotes).
 */
export function valueLiteral(key: string, op: CompareOp, value: TermValue): Literal {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write the number ${value} in a filter`);
    return { kind: 'number', value, text: String(value), loc: NO_LOC };
  }
  if (typeof value === 'boolean') return { kind: 'string', text: String(value), quoted: false, loc: NO_LOC };
  const text = String(value);
  if (NUMERIC_OPS.has(op) || DURATION_FIELDS.has(key)) {
    const n = parseNumberLiteral(text);
    if (n !== null) return { kind: 'number', value: n, text, loc: NO_LOC };
    if (isDurationLiteral(text)) return { kind: 'duration', nanos: parseDurationLiteral(text)!, text, loc: NO_LOC };
  }
  return { kind: 'string', text, quoted: needsQuotes(text), loc: NO_LOC };
}

/** Text of `value` as it would be written after `key op` (see valueLiteral). */
export function formatValue(key: string, op: CompareOp, value: TermValue): string {
  return serializeLiteral(valueLiteral(key, op, value));
}

/**
 * AST of one term: `key op value`, `key exists` or `key not exists` (value
 * ignored). Throws when the key cannot be written (see isFilterableKey) or a
 * comparison has no value.
 */
export function termExpr(key: string, op: TermOp, value?: TermValue | null): WhereExpr {
  const existence = op === 'exists' || op === 'not exists';
  if (!isFilterableKey(key, existence)) throw new Error(`cannot filter on the key ${JSON.stringify(key)}`);
  const field = fieldRef(key, NO_LOC);
  if (existence) return { type: 'exists', field, negated: op === 'not exists', loc: NO_LOC };
  if (value === undefined || value === null) throw new Error(`'${op}' needs a value`);
  return { type: 'compare', field, op, value: valueLiteral(key, op, value), loc: NO_LOC };
}

/** `ast AND expr` (just `expr` when there is no filter yet). */
export function addConjunct(ast: WhereExpr | null, expr: WhereExpr): WhereExpr {
  return ast ? { type: 'and', left: ast, right: expr, loc: NO_LOC } : expr;
}

/**
 * Sets, replaces or removes the top-level conjunct `key = value`:
 * - value null: every top-level `key = …` conjunct is removed (an AND left
 *   with one operand collapses to it; removing the only term gives null);
 * - otherwise the first top-level `key = …` is replaced in place (later ones
 *   are removed, they would contradict it); when there is none, `key = value`
 *   is ANDed at the end.
 * Every other node keeps its place and shape, and nested occurrences (under OR
 * or NOT) are never touched. The input AST is not mutated.
 */
export function setTopLevelEquals(ast: WhereExpr | null, key: string, value: string | null): WhereExpr | null {
  const replacement = value === null ? null : termExpr(key, '=', value);
  let replaced = false;
  const edit = (e: WhereExpr): WhereExpr | null => {
    if (e.type === 'and') {
      const left = edit(e.left);
      const right = edit(e.right);
      if (!left) return right;
      if (!right) return left;
      return left === e.left && right === e.right ? e : { ...e, left, right };
    }
    if (!isEqualsOn(e, key)) return e;
    if (replacement && !replaced) {
      replaced = true;
      return replacement;
    }
    return null;
  };
  const edited = ast ? edit(ast) : null;
  if (replacement && !replaced) return addConjunct(edited, replacement);
  return edited;
}

export type TextEdit = { ok: true; text: string } | { ok: false; reason: string };

/**
 * setTopLevelEquals on filter text: parse → edit → serializeWhere. When the
 * text does not parse, nothing is edited and the reason says why (the tenant
 * dropdown is disabled then). When the filter already has exactly this
 * selection the text is returned unchanged (no re-formatting).
 */
export function setTopLevelEqualsText(whereText: string, key: string, value: string | null): TextEdit {
  const parsed = parseWhere(whereText);
  const first = parsed.diagnostics[0];
  if (first) return { ok: false, reason: `fix the filter first: ${first.message}` };
  const current = topLevelConjuncts(parsed.ast).filter((c) => isEqualsOn(c, key));
  if (value === null ? current.length === 0 : current.length === 1 && findTopLevelEquals(parsed.ast, key) === value) {
    return { ok: true, text: whereText };
  }
  try {
    return { ok: true, text: serializeWhere(setTopLevelEquals(parsed.ast, key, value)) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Click-to-filter: the filter text with `key op value` ANDed at the end,
 * e.g. appendTerm('status=error', 'service', '=', 'plano(llm)') →
 * `status = error AND service = plano(llm)`. Values are quoted when needed
 * (see valueLiteral). Blank text gives just the term.
 *
 * When `whereText` does not parse, it is kept exactly as typed and the term
 * is appended textually (` AND <term>`, the text's end trimmed): the added
 * term is well-formed and the user's error stays visible where it was. If
 * that text would parse (the appended words would give the broken part a
 * meaning, e.g. `a=` + ` AND c = x` reads `a = "AND"`), the text is returned
 * unchanged instead: nothing is ever applied that the user did not write.
 *
 * Throws when the key cannot be written in a filter (check isFilterableKey).
 */
export function appendTerm(whereText: string, key: string, op: TermOp, value?: TermValue | null): string {
  const term = termExpr(key, op, value);
  const parsed = parseWhere(whereText);
  if (parsed.diagnostics.length > 0) {
    const appended = `${whereText.trimEnd()} AND ${serializeWhere(term)}`;
    return parseWhere(appended).diagnostics.length > 0 ? appended : whereText;
  }
  return serializeWhere(addConjunct(parsed.ast, term));
}

/** Structural equality of two ASTs, ignoring `loc`. */
export function astEquals(a: WhereExpr | null, b: WhereExpr | null): boolean {
  if (a === null || b === null) return a === b;
  const stack: Array<[WhereExpr, WhereExpr]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x.type !== y.type) return false;
    switch (x.type) {
      case 'and':
      case 'or': {
        const yy = y as typeof x;
        stack.push([x.left, yy.left], [x.right, yy.right]);
        break;
      }
      case 'not':
        stack.push([x.operand, (y as typeof x).operand]);
        break;
      case 'exists': {
        const yy = y as typeof x;
        if (x.negated !== yy.negated || !fieldEquals(x.field, yy.field)) return false;
        break;
      }
      case 'compare': {
        const yy = y as typeof x;
        if (x.op !== yy.op || !fieldEquals(x.field, yy.field) || !literalEquals(x.value, yy.value)) return false;
        break;
      }
    }
  }
  return true;
}

function fieldEquals(a: FieldRef, b: FieldRef): boolean {
  return a.kind === b.kind && fieldKey(a) === fieldKey(b);
}

function literalEquals(a: Literal, b: Literal): boolean {
  if (a.kind !== b.kind || a.text !== b.text) return false;
  if (a.kind === 'string' && b.kind === 'string') return a.quoted === b.quoted;
  if (a.kind === 'number' && b.kind === 'number') return Object.is(a.value, b.value);
  if (a.kind === 'duration' && b.kind === 'duration') return a.nanos === b.nanos;
  return false;
}
