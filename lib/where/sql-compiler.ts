/**
 * Compiles a `where` AST to parameterized SQL (drizzle `sql` fragments: every
 * value is a bound parameter, never spliced into the text).
 *
 * Semantics (planoai's, extended):
 * - A trace matches a leaf predicate when at least one of its spans satisfies it;
 *   AND / OR / NOT combine those trace-level truths. So `a=1 AND b=2` may be
 *   satisfied by two different spans, and `NOT a=1` means "no span has a=1".
 * - A bare key is read from span attributes, falling back to resource attributes.
 * - `key!=v` (and `!~`) on a span needs the key present with another value.
 * - `key not exists` means no span of the trace carries the key.
 * - Comparisons (`>`, `>=`, `<`, `<=`) are numeric; numeric strings count as numbers
 *   (Plano sends `http.status_code` as a string). `=` with a number literal matches
 *   the same text or the same numeric value.
 * - `duration` / `trace.duration` take duration literals (`250ms`); a bare number means milliseconds.
 *
 * The SQL expects the query to read `traces` as alias `t`; trace-level output is a
 * boolean over `t`, span-level output (for highlighting) a boolean over `spans s`.
 *
 * Trace level reads attributes from `t.attribute_set` (every value the trace's spans
 * carry, per key; db/trace-attribute-set.ts), which gives the same answer as probing
 * the spans — "some span has a value satisfying P" is "some value in the set does" —
 * without touching them: `key=value` is a GIN containment probe on `traces`. Only the
 * span intrinsics the summary cannot answer (name, service, kind, span duration, …)
 * still probe the trace's spans.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { CompareOp, FieldRef, Literal, WhereDiagnostic, WhereExpr } from './ast';

export type CompileOptions = {
  /** The attribute key stored in the tenant_id column (TRACEDECK_TENANT_KEY). */
  tenantKey?: string;
};

export type CompileResult = { ok: true; sql: SQL } | { ok: false; error: WhereDiagnostic };

class CompileError extends Error {
  constructor(readonly diagnostic: WhereDiagnostic) {
    super(diagnostic.message);
  }
}

function fail(loc: { start: number; end: number }, what: string): never {
  const column = loc.start + 1;
  throw new CompileError({ message: `${what} at column ${column}`, column, length: Math.max(1, loc.end - loc.start) });
}

/** Trace-level filter: a boolean over `traces t`. */
export function compileTraceFilter(expr: WhereExpr, options: CompileOptions = {}): CompileResult {
  return run(() => traceLevel(expr, options.tenantKey ?? 'tenant.id'));
}

/** Span-level filter: a boolean over `spans s` (which spans of a trace match). */
export function compileSpanFilter(expr: WhereExpr, options: CompileOptions = {}): CompileResult {
  return run(() => spanLevel(expr, options.tenantKey ?? 'tenant.id'));
}

function run(build: () => SQL): CompileResult {
  try {
    return { ok: true, sql: build() };
  } catch (err) {
    if (err instanceof CompileError) return { ok: false, error: err.diagnostic };
    throw err;
  }
}

const spanExists = (predicate: SQL) =>
  sql`EXISTS (SELECT 1 FROM spans s WHERE s.tenant_id = t.tenant_id AND s.trace_id = t.trace_id AND ${predicate})`;

function traceLevel(expr: WhereExpr, tenantKey: string): SQL {
  switch (expr.type) {
    case 'and':
      return sql`(${traceLevel(expr.left, tenantKey)} AND ${traceLevel(expr.right, tenantKey)})`;
    case 'or':
      return sql`(${traceLevel(expr.left, tenantKey)} OR ${traceLevel(expr.right, tenantKey)})`;
    case 'not':
      return sql`(NOT ${traceLevel(expr.operand, tenantKey)})`;
    case 'exists': {
      const present = traceFieldPresent(expr.field, tenantKey);
      return expr.negated ? sql`(NOT ${present})` : present;
    }
    case 'compare': {
      const direct = traceColumnCompare(expr.field, expr.op, expr.value, tenantKey);
      if (direct) return direct;
      if (expr.field.kind === 'attribute') return setCompare(expr.field.key, expr.op, expr.value);
      return spanExists(spanCompare(expr.field, expr.op, expr.value));
    }
  }
}

function spanLevel(expr: WhereExpr, tenantKey: string): SQL {
  switch (expr.type) {
    case 'and':
      return sql`(${spanLevel(expr.left, tenantKey)} AND ${spanLevel(expr.right, tenantKey)})`;
    case 'or':
      return sql`(${spanLevel(expr.left, tenantKey)} OR ${spanLevel(expr.right, tenantKey)})`;
    case 'not':
      return sql`(NOT COALESCE(${spanLevel(expr.operand, tenantKey)}, false))`;
    case 'exists': {
      const present = expr.field.kind === 'intrinsic' ? sql`true` : attributePresent(expr.field.key);
      return expr.negated ? sql`(NOT ${present})` : present;
    }
    case 'compare':
      if (expr.field.kind === 'intrinsic' && expr.field.name === 'trace.duration') {
        const traceDuration = sql`(SELECT t.duration_ns FROM traces t WHERE t.tenant_id = s.tenant_id AND t.trace_id = s.trace_id)`;
        return numericCompare(traceDuration, expr.op, durationNanos(expr.value, expr.op), expr.value);
      }
      return spanCompare(expr.field, expr.op, expr.value);
  }
}

// ---------------------------------------------------------------- trace columns

/** Predicates answered by the traces row itself (no span probe). */
function traceColumnCompare(field: FieldRef, op: CompareOp, value: Literal, tenantKey: string): SQL | null {
  if (field.kind === 'intrinsic' && field.name === 'trace.duration') {
    return numericCompare(sql`t.duration_ns`, op, durationNanos(value, op), value);
  }
  if (field.kind === 'intrinsic' && field.name === 'trace_id') return traceIdCompare(sql`t.trace_id`, op, value);
  // Every span of a (tenant, trace) row shares its tenant_id, so the tenant key is a trace column.
  if (field.kind === 'attribute' && field.key === tenantKey && !isNumericOp(op)) {
    return textCompare(sql`t.tenant_id`, op, literalText(value), value, sql`t.tenant_id <> ''`);
  }
  // The summary counts error spans: "some span has status error" / "some span has another status".
  if (field.kind === 'intrinsic' && field.name === 'status' && (op === '=' || op === '!=')) {
    const isError = /^(status_code_)?error$/i.test(literalText(value)) || (value.kind === 'number' && value.value === 2);
    if (isError) return op === '=' ? sql`(t.error_count > 0)` : sql`(t.error_count < t.span_count)`;
  }
  return null;
}

function traceFieldPresent(field: FieldRef, tenantKey: string): SQL {
  if (field.kind === 'intrinsic') return sql`true`;
  if (field.key === tenantKey) return sql`(t.tenant_id <> '')`;
  return sql`(t.attribute_set ? ${field.key}::text)`;
}

// ---------------------------------------------------------------- trace attribute set

/** "Some value of `key` in the trace's set satisfies `predicate`" (`e.v` is one `{s, n?}`). */
const someSetValue = (key: string, predicate: SQL) =>
  sql`EXISTS (SELECT 1 FROM jsonb_array_elements(t.attribute_set -> ${key}::text) AS e(v) WHERE ${predicate})`;

const setContains = (key: string, element: { s: string } | { n: number }) =>
  sql`t.attribute_set @> ${JSON.stringify({ [key]: [element] })}::jsonb`;

/** An attribute predicate at trace level, with the span-level semantics of attributeCompare. */
function setCompare(key: string, op: CompareOp, value: Literal): SQL {
  const text = literalText(value);
  const n = value.kind === 'number' ? value.value : null;
  switch (op) {
    case '=':
      // Same text, or (a number literal) the same numeric value: both are GIN containment probes.
      return n === null ? setContains(key, { s: text }) : sql`(${setContains(key, { s: text })} OR ${setContains(key, { n })})`;
    case '!=':
      return n === null
        ? someSetValue(key, sql`e.v->>'s' <> ${text}::text`)
        : someSetValue(key, sql`e.v->>'s' <> ${text}::text AND (e.v->'n' IS NULL OR (e.v->>'n')::float8 <> ${n}::float8)`);
    case '~':
      return someSetValue(key, sql`e.v->>'s' LIKE ${globToLike(text)}::text`);
    case '!~':
      return someSetValue(key, sql`e.v->>'s' NOT LIKE ${globToLike(text)}::text`);
    default:
      return someSetValue(key, numericCompare(sql`(e.v->>'n')::float8`, op, requireNumber(value, op), value));
  }
}

// ---------------------------------------------------------------- span predicates

const SPAN_KINDS: Record<string, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUS_CODES: Record<string, number> = { unset: 0, ok: 1, error: 2 };

/** Keys with their own typed column filled from exactly that key (exact same semantics as JSONB). */
const PROMOTED_TEXT_COLUMNS: Record<string, SQL> = {
  'user.id': sql`s.user_id`,
  'session.id': sql`s.session_id`,
};

function spanCompare(field: FieldRef, op: CompareOp, value: Literal): SQL {
  if (field.kind === 'intrinsic') {
    switch (field.name) {
      case 'trace_id':
        return traceIdCompare(sql`s.trace_id`, op, value);
      case 'span_id':
        return textCompare(sql`s.span_id`, op, literalText(value).toLowerCase(), value);
      case 'name':
        return textCompare(sql`s.name`, op, literalText(value), value);
      case 'service':
        return textCompare(sql`s.service`, op, literalText(value), value);
      case 'kind':
        return enumCompare(sql`s.kind`, op, value, SPAN_KINDS, 'span kind', 'SPAN_KIND_');
      case 'status':
        return enumCompare(sql`s.status_code`, op, value, STATUS_CODES, 'status', 'STATUS_CODE_');
      case 'duration':
        return numericCompare(sql`s.duration_ns`, op, durationNanos(value, op), value);
      case 'trace.duration':
        return fail(field.loc, "'trace.duration' is a trace field");
    }
  }
  const promoted = PROMOTED_TEXT_COLUMNS[field.key];
  if (promoted && !isNumericOp(op)) return textCompare(promoted, op, literalText(value), value);
  return attributeCompare(field.key, op, value);
}

const attributeValue = (key: string) => sql`COALESCE(s.attributes -> ${key}::text, s.resource_attributes -> ${key}::text)`;

function attributePresent(key: string): SQL {
  return sql`(s.attributes ? ${key}::text OR s.resource_attributes ? ${key}::text)`;
}

function attributeCompare(key: string, op: CompareOp, value: Literal): SQL {
  const v = attributeValue(key);
  switch (op) {
    case '=':
      return attributeEquals(key, value);
    case '!=':
      return value.kind === 'string'
        ? sql`td_text(${v}) <> ${value.text}::text`
        : sql`(td_text(${v}) <> ${literalText(value)}::text AND td_num(${v}) IS DISTINCT FROM ${literalNumber(value)}::float8)`;
    case '~':
      return sql`td_text(${v}) LIKE ${globToLike(literalText(value))}::text`;
    case '!~':
      return sql`td_text(${v}) NOT LIKE ${globToLike(literalText(value))}::text`;
    default:
      return numericCompare(sql`td_num(${v})`, op, requireNumber(value, op), value);
  }
}

/**
 * `key=value` as JSONB containment, which the GIN (jsonb_path_ops) index answers:
 * the value may be stored as a string, an int, a double or a bool, so each
 * spelling that fits the literal is tried. Span attributes win over resource ones.
 */
function attributeEquals(key: string, value: Literal): SQL {
  const text = literalText(value);
  const candidates: unknown[] = [{ stringValue: text }];
  const trimmed = text.trim();
  if (/^[-+]?\d+$/.test(trimmed)) {
    const asInt = BigInt(trimmed).toString();
    candidates.push({ intValue: asInt });
  }
  const asNumber = trimmed === '' ? NaN : Number(trimmed);
  if (Number.isFinite(asNumber)) candidates.push({ doubleValue: asNumber });
  if (/^(true|false)$/i.test(trimmed)) candidates.push({ boolValue: trimmed.toLowerCase() === 'true' });
  const contains = (column: SQL) =>
    sql.join(candidates.map((c) => sql`${column} @> ${JSON.stringify({ [key]: c })}::jsonb`), sql` OR `);
  const numericOnly = value.kind === 'number' ? sql` OR td_num(${attributeValue(key)}) = ${asNumber}::float8` : sql``;
  return sql`((${contains(sql`s.attributes`)}) OR (NOT s.attributes ? ${key}::text AND (${contains(sql`s.resource_attributes`)}))${numericOnly})`;
}

function textCompare(column: SQL, op: CompareOp, text: string, value: Literal, present: SQL = sql`true`): SQL {
  switch (op) {
    case '=':
      return sql`${column} = ${text}::text`;
    case '!=':
      return sql`(${present} AND ${column} <> ${text}::text)`;
    case '~':
      return sql`${column} LIKE ${globToLike(text)}::text`;
    case '!~':
      return sql`(${present} AND ${column} NOT LIKE ${globToLike(text)}::text)`;
    default:
      return fail(value.loc, `'${op}' compares numbers, but this field is text`);
  }
}

function numericCompare(column: SQL, op: CompareOp, n: number, value: Literal): SQL {
  switch (op) {
    case '=':
      return sql`${column} = ${n}::float8`;
    case '!=':
      return sql`${column} <> ${n}::float8`;
    case '>':
      return sql`${column} > ${n}::float8`;
    case '>=':
      return sql`${column} >= ${n}::float8`;
    case '<':
      return sql`${column} < ${n}::float8`;
    case '<=':
      return sql`${column} <= ${n}::float8`;
    default:
      return fail(value.loc, `'${op}' matches text patterns, but this field is a number`);
  }
}

function enumCompare(column: SQL, op: CompareOp, value: Literal, names: Record<string, number>, label: string, protoPrefix: string): SQL {
  if (op !== '=' && op !== '!=') return fail(value.loc, `${label} supports only = and !=`);
  let code: number | undefined;
  if (value.kind === 'number') code = Number.isInteger(value.value) ? value.value : undefined;
  else {
    const name = literalText(value).toLowerCase();
    code = names[name.startsWith(protoPrefix.toLowerCase()) ? name.slice(protoPrefix.length) : name];
  }
  if (code === undefined) fail(value.loc, `unknown ${label} '${literalText(value)}' (expected ${Object.keys(names).join(', ')})`);
  return op === '=' ? sql`${column} = ${code}` : sql`${column} <> ${code}`;
}

// ---------------------------------------------------------------- literals

function isNumericOp(op: CompareOp): boolean {
  return op === '>' || op === '>=' || op === '<' || op === '<=';
}

function literalText(value: Literal): string {
  return value.kind === 'string' ? value.text : value.text;
}

function literalNumber(value: Literal): number | null {
  if (value.kind === 'number') return value.value;
  if (value.kind === 'duration') return value.nanos;
  return null;
}

function requireNumber(value: Literal, op: CompareOp): number {
  if (value.kind === 'number') return value.value;
  if (value.kind === 'duration') return value.nanos / 1e6; // a duration against an attribute: milliseconds
  const n = value.text.trim() === '' ? NaN : Number(value.text);
  if (Number.isFinite(n)) return n;
  return fail(value.loc, `expected a number after '${op}'`);
}

function durationNanos(value: Literal, op: CompareOp): number {
  if (value.kind === 'duration') return value.nanos;
  if (value.kind === 'number') return value.value * 1e6; // bare numbers are milliseconds
  return fail(value.loc, `expected a duration such as 250ms or 1.5s after '${op}'`);
}

/** Trace ids are stored lowercase; an 8-hex `=` value matches the short id (a prefix), as the CLI's targets do. */
function traceIdCompare(column: SQL, op: CompareOp, value: Literal): SQL {
  const text = literalText(value).toLowerCase();
  if (op === '=' && /^[0-9a-f]{8}$/.test(text)) return sql`${column} LIKE ${`${text}%`}::text`;
  return textCompare(column, op, text, value);
}

/** Glob (`*` any run, `?` one char) → LIKE pattern with LIKE's own metacharacters escaped. */
export function globToLike(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
