/**
 * AST of the `where` filter grammar. Shared by the parser (text → AST), the
 * serializer (AST → canonical text) and the SQL compiler (AST → parameterized SQL).
 * No DB or React imports here.
 *
 * Offsets are 0-based UTF-16 indexes into the source text; diagnostics add 1
 * to report 1-based columns.
 */

export type Span = { start: number; end: number };

/** Fields that are not attributes but columns of every span / trace. */
export const INTRINSICS = ['trace_id', 'span_id', 'name', 'service', 'kind', 'status', 'duration', 'trace.duration'] as const;
export type IntrinsicName = (typeof INTRINSICS)[number];

export type FieldRef =
  | { kind: 'intrinsic'; name: IntrinsicName; loc: Span }
  /** A bare key: looked up in span attributes first, then resource attributes. */
  | { kind: 'attribute'; key: string; loc: Span };

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~';

export type Literal =
  /** `text` is the unescaped value; `quoted` tells whether it was written in double quotes. */
  | { kind: 'string'; text: string; quoted: boolean; loc: Span }
  /** An unquoted number such as `500`, `-1.5`. `text` keeps the source spelling. */
  | { kind: 'number'; value: number; text: string; loc: Span }
  /** `250ms`, `1.5s`, `2m`, `1h`, `10us`, `5ns` → nanoseconds. */
  | { kind: 'duration'; nanos: number; text: string; loc: Span };

export type WhereExpr =
  | { type: 'and'; left: WhereExpr; right: WhereExpr; loc: Span }
  | { type: 'or'; left: WhereExpr; right: WhereExpr; loc: Span }
  | { type: 'not'; operand: WhereExpr; loc: Span }
  | { type: 'compare'; field: FieldRef; op: CompareOp; value: Literal; loc: Span }
  /** `key exists` / `key not exists` (also `exists(key)`/`!key` if the parser supports them). */
  | { type: 'exists'; field: FieldRef; negated: boolean; loc: Span };

export type WhereDiagnostic = {
  /** e.g. "expected a value after '>=' at column 12" — message already names the column. */
  message: string;
  /** 1-based column of the offending character. */
  column: number;
  /** Number of characters to underline (at least 1). */
  length: number;
};

export type ParseResult = { ast: WhereExpr | null; diagnostics: WhereDiagnostic[] };
