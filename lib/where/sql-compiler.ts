/**
 * Compiles a `where` AST to parameterized SQL (drizzle `sql` fragments: every
 * value is a bound parameter, never spliced into the text). Type and enum
 * checks live in ./validate.ts, which runs first: a filter it refuses comes back
 * as its diagnostic, and the code below only generates SQL.
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
 * without touching them: `key=value` is a GIN containment probe on `traces`; `key > n` on a
 * hot numeric key reads its bound columns (lib/trace/numeric-bounds.ts), the set's own max/min. Only the
 * span intrinsics the summary cannot answer (name, service, kind, span duration, …)
 * still probe the trace's spans.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { CompareOp, FieldRef, Literal, WhereDiagnostic, WhereExpr } from './ast';
import { unreachable } from './exhaustive';
import {
  type EnumSpec,
  type EqualityOp,
  type OrderOp,
  SPAN_KIND,
  STATUS_CODE,
  durationNanosOf,
  enumCodeOf,
  isOrderOp,
  literalText,
  numberOf,
} from './field-types';
import { validateWhere } from './validate';
import { type NumericBound, numericBoundOf } from '../trace/numeric-bounds';
import { ELIDABLE_BY_KEY } from '../trace/elided-attributes';

export type CompileOptions = {
  /** The attribute key stored in the tenant_id column (TRACEDECK_TENANT_KEY). */
  tenantKey?: string;
  /**
   * Answer `>`/`>=`/`<`/`<=` on a hot numeric key from its per-trace bound columns (the default),
   * or from the attribute set: the same answer, which the tests check by comparing the two.
   */
  numericBounds?: boolean;
};

type TraceContext = { tenantKey: string; numericBounds: boolean };

export type CompileResult = { ok: true; sql: SQL } | { ok: false; error: WhereDiagnostic };

/** Trace-level filter: a boolean over `traces t`. */
export function compileTraceFilter(expr: WhereExpr, options: CompileOptions = {}): CompileResult {
  return validated(expr, () => traceLevel(expr, { tenantKey: options.tenantKey ?? 'tenant.id', numericBounds: options.numericBounds ?? true }));
}

/** Span-level filter: a boolean over `spans s` (which spans of a trace match). */
export function compileSpanFilter(expr: WhereExpr, options: CompileOptions = {}): CompileResult {
  return validated(expr, () => spanLevel(expr, options.tenantKey ?? 'tenant.id'));
}

/** The first problem validateWhere finds, else the SQL: what follows may assume every literal fits its field. */
function validated(expr: WhereExpr, build: () => SQL): CompileResult {
  const [problem] = validateWhere(expr);
  return problem ? { ok: false, error: problem } : { ok: true, sql: build() };
}

/** A literal or operator validateWhere refuses reached SQL generation: a bug, never the user's mistake. */
function invalid(what: string): never {
  throw new Error(`where compiler: ${what} (validateWhere should have refused it)`);
}

const spanExists = (predicate: SQL) => sql`EXISTS (SELECT 1 FROM spans s WHERE s.tenant_id = t.tenant_id AND s.trace_id = t.trace_id AND ${predicate})`;

function traceLevel(expr: WhereExpr, ctx: TraceContext): SQL {
  switch (expr.type) {
    case 'and':
      return sql`(${traceLevel(expr.left, ctx)} AND ${traceLevel(expr.right, ctx)})`;
    case 'or':
      return sql`(${traceLevel(expr.left, ctx)} OR ${traceLevel(expr.right, ctx)})`;
    case 'not':
      return sql`(NOT ${traceLevel(expr.operand, ctx)})`;
    case 'exists': {
      const present = traceFieldPresent(expr.field, ctx.tenantKey);
      return expr.negated ? sql`(NOT ${present})` : present;
    }
    case 'compare': {
      const direct = traceColumnCompare(expr.field, expr.op, expr.value, ctx);
      if (direct) return direct;
      if (expr.field.kind === 'attribute') return setCompare(expr.field.key, expr.op, expr.value);
      return spanExists(spanCompare(expr.field, expr.op, expr.value));
    }
    default:
      return unreachable(expr, 'filter node');
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
      return spanCompare(expr.field, expr.op, expr.value);
    default:
      return unreachable(expr, 'filter node');
  }
}

// ---------------------------------------------------------------- trace columns

/** Predicates answered by the traces row itself (no span probe). */
function traceColumnCompare(field: FieldRef, op: CompareOp, value: Literal, { tenantKey, numericBounds }: TraceContext): SQL | null {
  if (field.kind === 'intrinsic' && field.name === 'trace.duration') return durationCompare(sql`t.duration_ns`, op, value);
  if (field.kind === 'intrinsic' && field.name === 'trace_id') return traceIdCompare(sql`t.trace_id`, op, value);
  // Every span of a (tenant, trace) row shares its tenant_id, so the tenant key is a trace column.
  if (field.kind === 'attribute' && field.key === tenantKey && !isOrderOp(op)) {
    return textCompare(sql`t.tenant_id`, op, literalText(value), sql`t.tenant_id <> ''`);
  }
  if (field.kind === 'attribute' && numericBounds && isOrderOp(op)) {
    const bound = numericBoundOf(field.key);
    if (bound) return boundCompare(bound, op, attributeNumber(value));
  }
  // The summary counts error spans: "some span has status error" / "some span has another status".
  if (field.kind === 'intrinsic' && field.name === 'status' && (op === '=' || op === '!=')) {
    const isError = enumCodeOf(value, STATUS_CODE) === STATUS_CODE.codes.error;
    if (isError) return op === '=' ? sql`(t.error_count > 0)` : sql`(t.error_count < t.span_count)`;
  }
  return null;
}

/**
 * "Some value of the key satisfies `op n`" from the trace's bounds: some value exceeds n iff the
 * largest does (`>`, `>=`), some is below iff the smallest is (`<`, `<=`). A trace without a number
 * for the key has NULL bounds; `AND … IS NOT NULL` makes that false rather than NULL, as the set's
 * EXISTS is, so NOT and OR above it read the same — and it stays a plain indexable range.
 */
function boundCompare(bound: NumericBound, op: OrderOp, n: number): SQL {
  const column = sql.raw(`t.${op === '>' || op === '>=' ? bound.maxColumn : bound.minColumn}`);
  return sql`(${orderCompare(column, op, n)} AND ${column} IS NOT NULL)`;
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

const setContains = (key: string, element: { s: string } | { n: number }) => sql`t.attribute_set @> ${JSON.stringify({ [key]: [element] })}::jsonb`;

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
    case '>':
    case '>=':
    case '<':
    case '<=':
      return someSetValue(key, orderCompare(sql`(e.v->>'n')::float8`, op, attributeNumber(value)));
    default:
      return unreachable(op, 'operator');
  }
}

// ---------------------------------------------------------------- attribute values (aggregate queries)

/**
 * A table expression of the values of `key` the trace `t` carries (one row per
 * distinct value: `s` its text, `n` its number or NULL), for the aggregate queries
 * (db/queries/aggregate.ts): group keys and fields read through here, so a change
 * of the attribute set's encoding is made in this file only.
 */
export function traceAttributeValues(key: string): SQL {
  return sql`(SELECT e.v->>'s' AS s, (e.v->>'n')::float8 AS n FROM jsonb_array_elements(t.attribute_set -> ${key}::text) AS e(v))`;
}

/**
 * A table expression of every (key, value) pair the trace `t` carries (`key`, `s` the
 * value as text), each distinct value once per trace: the "what's different" ranking
 * (db/queries/heatmap.ts) counts traces per pair through here.
 */
export function traceAttributeEntries(): SQL {
  return sql`(SELECT k.key AS key, e.v->>'s' AS s FROM jsonb_each(t.attribute_set) AS k(key, vals) CROSS JOIN LATERAL jsonb_array_elements(k.vals) AS e(v))`;
}

// ---------------------------------------------------------------- span predicates

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
        return textCompare(sql`s.span_id`, op, literalText(value).toLowerCase());
      case 'name':
        return textCompare(sql`s.name`, op, literalText(value));
      case 'service':
        return textCompare(sql`s.service`, op, literalText(value));
      case 'kind':
        return enumCompare(sql`s.kind`, op, value, SPAN_KIND);
      case 'status':
        return enumCompare(sql`s.status_code`, op, value, STATUS_CODE);
      case 'duration':
        return durationCompare(sql`s.duration_ns`, op, value);
      case 'trace.duration':
        // Only at span level (the trace level reads t.duration_ns): the span's trace's duration.
        return durationCompare(sql`(SELECT t.duration_ns FROM traces t WHERE t.tenant_id = s.tenant_id AND t.trace_id = s.trace_id)`, op, value);
      default:
        return unreachable(field.name, 'intrinsic field');
    }
  }
  const promoted = PROMOTED_TEXT_COLUMNS[field.key];
  if (promoted && !isOrderOp(op)) return textCompare(promoted, op, literalText(value));
  return attributeCompare(field.key, op, value);
}

// ---------------------------------------------------------------- span attributes

/*
 * Spans store their attribute maps in the compact form of lib/otlp/compact-attributes.ts
 * (`"gpt-4o"`, `42`, `{"i": "9007199254740993"}`, `{"d": 2}`, …); td_ctext / td_cnum read a
 * value as text / number. A span's resource map is stored once in `resources`, by
 * (tenant_id, spans.resource_id). The helpers below are the one place that spells these
 * columns: other span queries (db/queries) use them too, so a storage change carries over.
 */

/** A scalar subquery over the resource of span `s` (its map as `r.attributes`). */
const ofResource = (expr: SQL) => sql`(SELECT ${expr} FROM resources r WHERE r.tenant_id = s.tenant_id AND r.id = s.resource_id)`;

/**
 * The compact JSONB value of an elided promoted key of span `alias`, restored from its column
 * (lib/trace/elided-attributes.ts); NULL when its bit is not set. null for a key never elided.
 */
function elidedValue(key: string, alias = 's'): SQL | null {
  const entries = ELIDABLE_BY_KEY.get(key);
  if (!entries) return null;
  const whens = entries.map((e) =>
    sql.raw(`WHEN ${alias}.promoted_elided & ${e.bit} <> 0 THEN to_jsonb(${alias}.${e.column}${e.form === 'decimal' ? '::text' : ''})`),
  );
  return sql`CASE ${sql.join(whens, sql` `)} END`;
}

/** The bits of `key` in `promoted_elided` (0 for a key never elided). */
const elidedBits = (key: string) => (ELIDABLE_BY_KEY.get(key) ?? []).reduce((bits, e) => bits | e.bit, 0);

/** Span `s`'s own value of `key` (its attributes, an elided key restored), compact JSONB. */
function ownValue(key: string): SQL {
  const elided = elidedValue(key);
  return elided ? sql`COALESCE(s.attributes -> ${key}::text, ${elided})` : sql`(s.attributes -> ${key}::text)`;
}

/** Whether span `s` itself carries `key` (an elided key counts). */
function ownPresent(key: string): SQL {
  const bits = elidedBits(key);
  return bits ? sql`(s.attributes ? ${key}::text OR s.promoted_elided & ${sql.raw(String(bits))} <> 0)` : sql`(s.attributes ? ${key}::text)`;
}

/**
 * Span `alias`'s attribute map as it was sent: the stored map with its elided promoted keys
 * restored (a read that returns or walks whole maps: the trace API, the key catalog).
 */
export function spanAttributesMap(alias: string): SQL {
  const pairs = [...ELIDABLE_BY_KEY.keys()].map((key) => sql`${key}::text, ${elidedValue(key, alias)}`);
  const a = sql.raw(alias);
  // jsonb_strip_nulls only over the restored keys: a stored null (an empty AnyValue) stays.
  return sql`(CASE WHEN ${a}.promoted_elided = 0 THEN ${a}.attributes
    ELSE ${a}.attributes || jsonb_strip_nulls(jsonb_build_object(${sql.join(pairs, sql`, `)})) END)`;
}

/** The value of `key` on a span `s` (span attributes over resource ones), compact JSONB. */
export const spanAttributeValue = (key: string) => sql`COALESCE(${ownValue(key)}, ${ofResource(sql`r.attributes -> ${key}::text`)})`;

/** The text of `key` on span `s` (span attribute, else resource attribute), as the filters read it; NULL when absent or empty. */
export const spanAttributeText = (key: string) => sql`td_ctext(${spanAttributeValue(key)})`;

/** The number of `key` on span `s` (numeric strings count), as `>`/`<` read it; NULL when absent or not a number. */
export const spanAttributeNumber = (key: string) => sql`td_cnum(${spanAttributeValue(key)})`;

/** Whether a span `s` carries `key` (in its own or its resource's attributes). */
export function spanAttributePresent(key: string): SQL {
  return sql`(${ownPresent(key)} OR COALESCE(${ofResource(sql`r.attributes ? ${key}::text`)}, false))`;
}

const attributePresent = spanAttributePresent;

function attributeCompare(key: string, op: CompareOp, value: Literal): SQL {
  const text = spanAttributeText(key);
  const num = spanAttributeNumber(key);
  switch (op) {
    case '=':
      return attributeEquals(key, value);
    case '!=':
      return value.kind === 'string'
        ? sql`${text} <> ${value.text}::text`
        : sql`(${text} <> ${literalText(value)}::text AND ${num} IS DISTINCT FROM ${numericValue(value)}::float8)`;
    case '~':
      return sql`${text} LIKE ${globToLike(literalText(value))}::text`;
    case '!~':
      return sql`${text} NOT LIKE ${globToLike(literalText(value))}::text`;
    case '>':
    case '>=':
    case '<':
    case '<=':
      return orderCompare(num, op, attributeNumber(value));
    default:
      return unreachable(op, 'operator');
  }
}

/**
 * The compact spellings a stored value equal to the literal may have: the string, an int
 * (a plain number within ±(2^53−1), else `{"i": digits}`), a double (a plain number when not
 * integral, else `{"d": n}`, and `{"d": "-0"}` for zero), a bool. JSONB compares numbers by
 * value, so `2` also finds an int stored as `2`.
 */
function compactCandidates(text: string): unknown[] {
  const candidates: unknown[] = [text];
  const trimmed = text.trim();
  if (/^[-+]?\d+$/.test(trimmed)) {
    const asInt = BigInt(trimmed);
    candidates.push(asInt >= -MAX_SAFE && asInt <= MAX_SAFE ? Number(asInt) : { i: asInt.toString() });
  }
  const asNumber = trimmed === '' ? NaN : Number(trimmed);
  if (Number.isFinite(asNumber)) {
    if (!Number.isInteger(asNumber)) candidates.push(asNumber);
    else candidates.push({ d: asNumber }, ...(asNumber === 0 ? [{ d: '-0' }] : []));
  }
  if (/^(true|false)$/i.test(trimmed)) candidates.push(trimmed.toLowerCase() === 'true');
  return candidates;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * `key=value` as JSONB containment on the span's maps: the value may be stored as a
 * string, an int, a double or a bool, so each spelling that fits the literal is tried.
 * Span attributes win over resource ones.
 */
function attributeEquals(key: string, value: Literal): SQL {
  const candidates = compactCandidates(literalText(value));
  const contains = (column: SQL) =>
    sql.join(
      candidates.map((c) => sql`${column} @> ${JSON.stringify({ [key]: c })}::jsonb`),
      sql` OR `,
    );
  const numericOnly = value.kind === 'number' ? sql` OR ${spanAttributeNumber(key)} = ${value.value}::float8` : sql``;
  const inResource = ofResource(sql`${contains(sql`r.attributes`)}`);
  const elided = elidedValue(key);
  const inElided = elided
    ? sql` OR ${elided} IN (${sql.join(
        candidates.map((c) => sql`${JSON.stringify(c)}::jsonb`),
        sql`, `,
      )})`
    : sql``;
  return sql`((${contains(sql`s.attributes`)})${inElided} OR (NOT ${ownPresent(key)} AND COALESCE(${inResource}, false))${numericOnly})`;
}

/** A text column; `present` guards the negated forms (a missing value is not "another value"). */
function textCompare(column: SQL, op: CompareOp, text: string, present: SQL = sql`true`): SQL {
  switch (op) {
    case '=':
      return sql`${column} = ${text}::text`;
    case '!=':
      return sql`(${present} AND ${column} <> ${text}::text)`;
    case '~':
      return sql`${column} LIKE ${globToLike(text)}::text`;
    case '!~':
      return sql`(${present} AND ${column} NOT LIKE ${globToLike(text)}::text)`;
    case '>':
    case '>=':
    case '<':
    case '<=':
      return invalid(`'${op}' on a text field`);
    default:
      return unreachable(op, 'operator');
  }
}

/** A column of nanoseconds against a duration literal (a bare number: milliseconds). */
function durationCompare(column: SQL, op: CompareOp, value: Literal): SQL {
  const nanos = durationNanosOf(value) ?? invalid(`'${literalText(value)}' as a duration`);
  switch (op) {
    case '=':
    case '!=':
      return equalityCompare(column, op, nanos);
    case '>':
    case '>=':
    case '<':
    case '<=':
      return orderCompare(column, op, nanos);
    case '~':
    case '!~':
      return invalid(`'${op}' on a duration`);
    default:
      return unreachable(op, 'operator');
  }
}

function equalityCompare(column: SQL, op: EqualityOp, n: number): SQL {
  return op === '=' ? sql`${column} = ${n}::float8` : sql`${column} <> ${n}::float8`;
}

function orderCompare(column: SQL, op: OrderOp, n: number): SQL {
  switch (op) {
    case '>':
      return sql`${column} > ${n}::float8`;
    case '>=':
      return sql`${column} >= ${n}::float8`;
    case '<':
      return sql`${column} < ${n}::float8`;
    case '<=':
      return sql`${column} <= ${n}::float8`;
    default:
      return unreachable(op, 'operator');
  }
}

function enumCompare(column: SQL, op: CompareOp, value: Literal, spec: EnumSpec): SQL {
  if (op !== '=' && op !== '!=') return invalid(`'${op}' on ${spec.label}`);
  const code = enumCodeOf(value, spec) ?? invalid(`${spec.label} '${literalText(value)}'`);
  return op === '=' ? sql`${column} = ${code}` : sql`${column} <> ${code}`;
}

// ---------------------------------------------------------------- literals

/** The number of a number or duration literal (nanoseconds), null for text. */
function numericValue(value: Literal): number | null {
  if (value.kind === 'number') return value.value;
  if (value.kind === 'duration') return value.nanos;
  return null;
}

/** An attribute's comparand under >, >=, <, <= (a duration in milliseconds). */
function attributeNumber(value: Literal): number {
  return numberOf(value) ?? invalid(`'${literalText(value)}' as a number`);
}

/** Trace ids are stored lowercase; an 8-hex `=` value matches the short id (a prefix), as the CLI's targets do. */
function traceIdCompare(column: SQL, op: CompareOp, value: Literal): SQL {
  const text = literalText(value).toLowerCase();
  if (op === '=' && /^[0-9a-f]{8}$/.test(text)) return sql`${column} LIKE ${`${text}%`}::text`;
  return textCompare(column, op, text);
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
