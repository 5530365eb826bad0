/**
 * Public API of the `where` filter grammar (pure: browser and Node). The SQL
 * compiler is imported from ./sql-compiler on its own (it pulls in drizzle).
 */
export { INTRINSICS } from './ast';
export type { CompareOp, FieldRef, IntrinsicName, Literal, ParseResult, Span, WhereDiagnostic, WhereExpr } from './ast';
export type { ParseListResult, WhereListDiagnostic } from './types';
export {
  MAX_CONDITIONS,
  MAX_FILTER_COUNT,
  MAX_FILTER_LENGTH,
  MAX_NESTING_DEPTH,
  fieldRef,
  isIntrinsicName,
  parseWhere,
  parseWhereFilters,
  parseWhereList,
  planoaiCompatFilter,
} from './parser';
export { needsQuotes, quoteString, serializeLiteral, serializeQuery, serializeWhere } from './serializer';
export { parseQuery } from './pipeline';
export {
  AGGREGATE_NAMES,
  MAX_AGGREGATES,
  MAX_BY_KEYS,
  NAMED_FIELDS,
  aggregateText,
  argumentKind,
  fieldName,
  isAggregateName,
  isNamedField,
  percentileOf,
} from './query-ast';
export type { AggregateCall, AggregateName, NamedField, Pipeline, QueryExpr, QueryParseResult, QueryUnit } from './query-ast';
export { collectConditions, collectFieldKeys, collectFieldRefs, unknownKeys, unknownKeysMessage } from './keys';
export type { Condition } from './keys';
export { checkQuery, checkWhere, checkWhereList, validateQuery, validateWhere, validateWhereList } from './validate';
export { formatDurationNanos, isDurationLiteral, parseDurationLiteral, parseSince } from './duration';
export { parseNumberLiteral } from './literal';
