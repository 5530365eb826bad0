/**
 * Public API of the `where` filter grammar (pure: browser and Node).
 */
export { INTRINSICS } from './ast';
export type {
  CompareOp,
  FieldRef,
  IntrinsicName,
  Literal,
  ParseResult,
  Span,
  WhereDiagnostic,
  WhereExpr,
} from './ast';
export type { ParseListResult, WhereListDiagnostic } from './types';
export {
  MAX_CONDITIONS,
  MAX_FILTER_COUNT,
  MAX_FILTER_LENGTH,
  MAX_NESTING_DEPTH,
  fieldRef,
  isIntrinsicName,
  parseWhere,
  parseWhereList,
  planoaiCompatFilter,
} from './parser';
export { needsQuotes, quoteString, serializeLiteral, serializeWhere } from './serializer';
export { collectFieldKeys, collectFieldRefs, unknownKeys, unknownKeysMessage } from './keys';
export { formatDurationNanos, isDurationLiteral, parseDurationLiteral, parseSince } from './duration';
export { parseNumberLiteral } from './literal';
