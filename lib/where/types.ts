/**
 * Additions to the fixed contract in ./ast.ts (which stays untouched).
 */
import type { ParseResult, WhereDiagnostic, WhereExpr } from './ast';

/** A diagnostic of one filter among several (`--where` given more than once). */
export type WhereListDiagnostic = WhereDiagnostic & {
  /** 0-based index of the filter (in the array given to parseWhereList) the diagnostic belongs to. */
  filterIndex: number;
};

/** Result of parseWhereList; assignable to ParseResult. */
export type ParseListResult = ParseResult & {
  ast: WhereExpr | null;
  diagnostics: WhereListDiagnostic[];
};
