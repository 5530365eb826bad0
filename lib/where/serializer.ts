/**
 * WhereExpr → canonical filter text.
 *
 * Canonical form: single spaces, `field op value` with spaces around the
 * operator, uppercase AND / OR / NOT / EXISTS, parentheses only where
 * precedence (OR < AND < NOT) or the tree shape requires them (a right operand
 * of the same operator is parenthesised, since AND/OR parse left-associative),
 * values quoted only when needed.
 *
 * Round trip: parseWhere(serializeWhere(ast)).ast equals ast ignoring `loc`,
 * for every AST the parser can produce, with one exception: an unquoted string
 * that cannot be written unquoted (only the planoai fallback makes those, e.g.
 * `x=a b c`) comes back with `quoted: true`.
 *
 * Throws on ASTs the grammar cannot express (hand-built ones): attribute keys
 * outside [A-Za-z0-9_.:-]+ or spelled like an intrinsic, a keyword used as the
 * key of an exists test, non-finite numbers or negative / fractional durations
 * whose text does not spell them. A numeric operator with a string value is
 * written out but will not re-parse.
 */
import type { FieldRef, Literal, WhereExpr } from './ast';
import { isDurationLiteral, formatDurationNanos, parseDurationLiteral } from './duration';
import { unreachable } from './exhaustive';
import { parseNumberLiteral } from './literal';
import type { QueryExpr } from './query-ast';
import { isIntrinsicName } from './parser';
import { KEY_RE, isWhitespaceCode } from './scanner';

const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'exists']);

function precedence(e: WhereExpr): number {
  switch (e.type) {
    case 'or':
      return 1;
    case 'and':
      return 2;
    case 'not':
      return 3;
    case 'compare':
    case 'exists':
      return 4;
    default:
      return unreachable(e, 'filter node');
  }
}

/**
 * Canonical text of a query: the filter, ` | `, `spans ` when the unit is spans,
 * `by(a, b) ` and the aggregates joined by `, `; `| count()` without a filter.
 * parseQuery(serializeQuery(q)).ast equals q ignoring `loc` (as serializeWhere's).
 */
export function serializeQuery(q: QueryExpr): string {
  const p = q.pipeline;
  const unit = p.unit === 'spans' ? 'spans ' : '';
  const by = p.by.length > 0 ? `by(${p.by.map((f) => serializeField(f, false)).join(', ')}) ` : '';
  const aggregates = p.aggregates.map((a) => `${a.fn}(${a.arg ? serializeField(a.arg, false) : ''})`).join(', ');
  const pipeline = `| ${unit}${by}${aggregates}`;
  return q.filter ? `${serializeWhere(q.filter)} ${pipeline}` : pipeline;
}

/** Canonical text for an AST; '' for null (no filter). */
export function serializeWhere(ast: WhereExpr | null): string {
  return ast ? serializeExpr(ast) : '';
}

function serializeExpr(e: WhereExpr): string {
  switch (e.type) {
    case 'or':
    case 'and': {
      const p = precedence(e);
      const left = wrap(e.left, precedence(e.left) < p);
      const right = wrap(e.right, precedence(e.right) <= p);
      return `${left} ${e.type.toUpperCase()} ${right}`;
    }
    case 'not':
      return `NOT ${wrap(e.operand, precedence(e.operand) < 3)}`;
    case 'compare':
      return `${serializeField(e.field, false)} ${e.op} ${serializeLiteral(e.value)}`;
    case 'exists':
      return `${serializeField(e.field, true)} ${e.negated ? 'NOT EXISTS' : 'EXISTS'}`;
  }
}

function wrap(e: WhereExpr, parens: boolean): string {
  const text = serializeExpr(e);
  return parens ? `(${text})` : text;
}

function serializeField(field: FieldRef, forExists: boolean): string {
  if (field.kind === 'intrinsic') return field.name;
  const key = field.key;
  if (!KEY_RE.test(key)) throw new Error(`cannot serialize attribute key ${JSON.stringify(key)}: not [A-Za-z0-9_.:-]+`);
  if (isIntrinsicName(key)) throw new Error(`cannot serialize attribute key '${key}': it reads as the intrinsic`);
  if (forExists && KEYWORDS.has(key.toLowerCase())) {
    throw new Error(`cannot serialize '${key} exists': the key reads as a keyword`);
  }
  return key;
}

export function serializeLiteral(lit: Literal): string {
  switch (lit.kind) {
    case 'string':
      return lit.quoted || needsQuotes(lit.text) ? quoteString(lit.text) : lit.text;
    case 'number': {
      const parsed = parseNumberLiteral(lit.text);
      if (parsed !== null && Object.is(parsed, lit.value)) return lit.text;
      const text = String(lit.value);
      if (parseNumberLiteral(text) !== lit.value) throw new Error(`cannot serialize number ${text}`);
      return text;
    }
    case 'duration': {
      if (parseDurationLiteral(lit.text) === lit.nanos) return lit.text;
      const text = formatDurationNanos(lit.nanos, { exact: true });
      if (parseDurationLiteral(text) !== lit.nanos) throw new Error(`cannot serialize duration of ${lit.nanos}ns`);
      return text;
    }
  }
}

/**
 * Whether a string value must be quoted to read back as the same unquoted
 * string: empty, starts with `"`, contains whitespace or control characters,
 * has parentheses that would end it early or swallow a following `)`, or reads
 * as a number or duration.
 */
export function needsQuotes(text: string): boolean {
  if (text === '' || text[0] === '"') return true;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || isWhitespaceCode(c)) return true;
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth < 0) return true;
  }
  if (depth !== 0) return true;
  return parseNumberLiteral(text) !== null || isDurationLiteral(text);
}

/** Double-quoted form with the grammar's escapes (\" \\ \n \t \uXXXX). */
export function quoteString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const c = text.charCodeAt(i);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}
