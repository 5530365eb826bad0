/**
 * Type and enum checks of a parsed filter, without SQL: what the grammar
 * accepts but no field can hold — `kind=foo`, `status>1`, `duration=fast`,
 * `name>5`, `duration~1s`, `a>x` (from an AST the parser did not build).
 * Pure, so the filter box and the CLI point at a mistake before anything is
 * sent, and the SQL compiler (which runs it first) only generates SQL.
 *
 * Diagnostics have the parser's shape ({message, column, length}, the message
 * ending ` at column N`) and underline the value. Comparisons are checked left
 * to right, so the first diagnostic is the first problem in the text.
 */
import type { CompareOp, Literal, ParseResult, WhereDiagnostic, WhereExpr } from './ast';
import { diagnosticAt } from './diagnostic';
import { unreachable } from './exhaustive';
import { type EnumSpec, durationNanosOf, enumCodeOf, fieldType, isGlobOp, isOrderOp, literalText, numberOf } from './field-types';
import { collectConditions } from './keys';
import { andFilters, parseWhere, parseWhereFilters } from './parser';
import type { ParseListResult, WhereListDiagnostic } from './types';
import type { FieldRef } from './ast';
import { parseQuery } from './pipeline';
import { type AggregateCall, type QueryExpr, type QueryParseResult, type QueryUnit, aggregateText, argumentKind, fieldName } from './query-ast';

type Comparison = Extract<WhereExpr, { type: 'compare' }>;

/** Every type or enum problem of the filter, left to right ([] when it is fine or null). */
export function validateWhere(ast: WhereExpr | null): WhereDiagnostic[] {
  const out: WhereDiagnostic[] = [];
  for (const condition of collectConditions(ast)) {
    if (condition.type !== 'compare') continue; // `key exists` holds for any field
    const problem = comparisonProblem(condition);
    if (problem) out.push(problem);
  }
  return out;
}

/** validateWhere of each filter of a list; each diagnostic names its filter's (0-based) index. */
export function validateWhereList(filters: readonly (WhereExpr | null)[]): WhereListDiagnostic[] {
  return filters.flatMap((ast, filterIndex) => validateWhere(ast).map((d) => ({ ...d, filterIndex })));
}

/** parseWhere, then validateWhere when it parses: the ast is null when there is any diagnostic. */
export function checkWhere(text: string): ParseResult {
  const parsed = parseWhere(text);
  if (parsed.diagnostics.length > 0 || parsed.ast === null) return parsed;
  const diagnostics = validateWhere(parsed.ast);
  return diagnostics.length > 0 ? { ast: null, diagnostics } : parsed;
}

/**
 * parseWhereList with each filter validated: the parse's diagnostics when there
 * are any (syntax is reported before types, whichever filter it is in), else the
 * validation's, each with its filterIndex. The ast is null when there is any.
 */
export function checkWhereList(texts: readonly string[]): ParseListResult {
  const { filters, diagnostics } = parseWhereFilters(texts);
  const problems = diagnostics.length > 0 ? diagnostics : validateWhereList(filters);
  if (problems.length > 0) return { ast: null, diagnostics: problems };
  return { ast: andFilters(filters), diagnostics: [] };
}

// ---------------------------------------------------------------- queries

/**
 * Problems of a parsed query, left to right: the filter's (validateWhere), then the
 * pipeline's — a key that cannot group or be counted distinct at this unit, an
 * aggregate without its argument or with one it cannot read, a key or aggregate
 * listed twice.
 */
export function validateQuery(q: QueryExpr): WhereDiagnostic[] {
  const out = validateWhere(q.filter);
  const { unit, by, aggregates } = q.pipeline;
  const seenKeys = new Set<string>();
  for (const key of by) {
    const problem = keyProblem(key, unit, 'by');
    if (problem) out.push(problem);
    else if (seenKeys.has(fieldName(key))) out.push(diagnosticAt(key.loc, `by() lists '${fieldName(key)}' twice`));
    seenKeys.add(fieldName(key));
  }
  const seenAggregates = new Set<string>();
  for (const a of aggregates) {
    const problem = aggregateProblem(a, unit);
    const text = aggregateText(a);
    if (problem) out.push(problem);
    else if (seenAggregates.has(text)) out.push(diagnosticAt(a.loc, `${text} is listed twice`));
    seenAggregates.add(text);
  }
  return out;
}

/** parseQuery, then validateQuery: the ast is null when there is any diagnostic. */
export function checkQuery(text: string): QueryParseResult {
  const parsed = parseQuery(text);
  if (parsed.ast === null) return parsed;
  const diagnostics = validateQuery(parsed.ast);
  return diagnostics.length > 0 ? { ast: null, diagnostics } : parsed;
}

const SPAN_ONLY_KEYS: ReadonlySet<string> = new Set(['span_id', 'kind', 'status']);

/** Whether `key` can group rows (`by`) or be counted distinct at `unit`. */
function keyProblem(key: FieldRef, unit: QueryUnit, role: 'by' | 'count_distinct'): WhereDiagnostic | null {
  if (key.kind === 'attribute') return null;
  const what = role === 'by' ? `by(${key.name})` : `count_distinct(${key.name})`;
  if (key.name === 'duration' || key.name === 'trace.duration') {
    return diagnosticAt(key.loc, `${what}: '${key.name}' is a number; aggregate it instead, e.g. p95(${key.name})`);
  }
  if (role === 'by' && (key.name === 'trace_id' || key.name === 'span_id')) {
    return diagnosticAt(key.loc, `${what} would make one group per ${key.name === 'trace_id' ? 'trace' : 'span'}; use count_distinct(${key.name})`);
  }
  if (unit === 'traces' && SPAN_ONLY_KEYS.has(key.name)) {
    return diagnosticAt(key.loc, `${what} reads spans: write '| spans …' to aggregate spans`);
  }
  return null;
}

function aggregateProblem(a: AggregateCall, unit: QueryUnit): WhereDiagnostic | null {
  const kind = argumentKind(a.fn);
  if (kind === 'none') return a.arg ? diagnosticAt(a.arg.loc, `${a.fn}() takes no argument`) : null;
  if (!a.arg)
    return diagnosticAt(a.loc, kind === 'key' ? `${a.fn}() needs a key, e.g. ${a.fn}(user.id)` : `${a.fn}() needs a number field, e.g. ${a.fn}(duration)`);
  if (kind === 'key') return keyProblem(a.arg, unit, 'count_distinct');
  const type = fieldType(a.arg);
  if (type.type === 'text' || type.type === 'enum') {
    return diagnosticAt(a.arg.loc, `${a.fn}() needs a number field, but '${fieldName(a.arg)}' is ${type.type === 'text' ? 'text' : `a ${type.spec.label}`}`);
  }
  return null;
}

function comparisonProblem({ field, op, value }: Comparison): WhereDiagnostic | null {
  const type = fieldType(field);
  switch (type.type) {
    case 'text':
      return isOrderOp(op) ? diagnosticAt(value.loc, `'${op}' compares numbers, but this field is text`) : null;
    case 'enum':
      return enumProblem(op, value, type.spec);
    case 'duration':
      if (durationNanosOf(value) === null) return diagnosticAt(value.loc, `expected a duration such as 250ms or 1.5s after '${op}'`);
      return isGlobOp(op) ? diagnosticAt(value.loc, `'${op}' matches text patterns, but this field is a number`) : null;
    case 'attribute':
      return isOrderOp(op) && numberOf(value) === null ? diagnosticAt(value.loc, `expected a number after '${op}'`) : null;
    default:
      return unreachable(type, 'field type');
  }
}

function enumProblem(op: CompareOp, value: Literal, spec: EnumSpec): WhereDiagnostic | null {
  if (op !== '=' && op !== '!=') return diagnosticAt(value.loc, `${spec.label} supports only = and !=`);
  if (enumCodeOf(value, spec) !== null) return null;
  return diagnosticAt(value.loc, `unknown ${spec.label} '${literalText(value)}' (expected ${Object.keys(spec.codes).join(', ')})`);
}
