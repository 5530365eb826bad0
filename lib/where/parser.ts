/**
 * Parser of the `where` filter grammar: text → WhereExpr (see ./ast.ts).
 * Pure (no DB, no React, no Node-only APIs) so the web UI can parse as you type.
 *
 * GRAMMAR
 *
 *   filter   := blank | or
 *   or       := and ( OR and )*                      left-associative
 *   and      := unary ( [AND] unary )*               left-associative; AND optional
 *   unary    := NOT unary | primary
 *   primary  := '(' or ')'
 *             | field op value
 *             | field EXISTS
 *             | field NOT EXISTS
 *   op       := '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~'
 *   field    := [A-Za-z0-9_.:-]+                     planoai's key regex; `-` allowed inside
 *   value    := '"' chars '"'                        escapes \" \\ \n \t \uXXXX
 *             | unquoted                             see below
 *
 * - Precedence OR < AND < NOT < primary: `a=1 OR b=2 AND c=3` is
 *   `a=1 OR (b=2 AND c=3)`; `NOT a=1 AND b=2` is `(NOT a=1) AND b=2`.
 * - Keywords AND, OR, NOT, EXISTS are case-insensitive whole words. Where a
 *   term starts, a keyword directly followed by an operator is a field name
 *   (`not=1`, `and = x`, `a=1 AND or = x`, `a=1 not=2`).
 *   Keys are case-sensitive; the intrinsics (trace_id, span_id, name, service,
 *   kind, status, duration, trace.duration) are recognised in exactly that
 *   spelling and become `{kind:'intrinsic'}`, every other key
 *   `{kind:'attribute'}`.
 * - Implicit AND: adjacent terms are joined by AND, as in Jaeger's tag search
 *   (`http.status_code=500 error=true`). `a=1 b=2` is `a=1 AND b=2`,
 *   `a=1 NOT b=2` is `a=1 AND NOT b=2`, `a=1 (b=2 OR c=3)` is
 *   `a=1 AND (b=2 OR c=3)`. It binds exactly like AND: `a=1 b=2 OR c=3` is
 *   `(a=1 AND b=2) OR c=3`. After a complete term, a word AND or OR is always
 *   the connective, even when an operator follows (`duration>1s OR < 5ms` is an
 *   error, not a comparison on a key `OR`); `)` closes a group; anything else
 *   must start a new term, else "expected a field name" is reported there
 *   (`a=1 = 5`).
 *   The serializer always writes AND explicitly.
 * - `NOT x exists` is NOT applied to `x exists`; `x not exists` is a negated
 *   exists node. Both mean the same but are kept apart in the AST.
 * - Whitespace around operators is optional: `status>=500`.
 * - Unquoted value: everything up to the next whitespace, except that `(`
 *   opens and `)` closes a nesting level inside the value and a `)` at level 0
 *   ends it, so `service=plano(llm)` and `(service=plano(llm) OR x=1)` work.
 *   `=`, `'`, `"`, `*` are ordinary characters there (`a=b=c` has value `b=c`).
 *   Keywords are not recognised in value position: `name=OR` is the value OR.
 *   A plain number (`500`, `-1.5`, `1e3`) becomes a number literal, a duration
 *   (`250ms`, `1.5s`, `2m`, `1h`, `1d`, `10us`, `5ns`) a duration literal,
 *   anything else an unquoted string. Quoted values are always strings.
 * - `>`, `>=`, `<`, `<=` need a number or duration value; `~` / `!~` take a glob
 *   (`*` any run, `?` one character; there is no escape for a literal `*`/`?`).
 * - planoai compatibility fallback: when the grammar rejects a text that has
 *   exactly one `=`, a key (trimmed) matching [A-Za-z0-9_.:-]+ before it and a
 *   non-empty value after it, the result is `key = "<value trimmed>"` (string,
 *   unquoted), e.g. `error.message=rate limit exceeded` (the grammar fails at
 *   `limit`, which has no operator) or `x=a b c`. Texts the grammar accepts
 *   keep the grammar's meaning, implicit AND included: `x=a b exists` is
 *   `x=a AND b exists`, and `a=1 b=2` (two `=`) is never a fallback.
 * - Limits against hostile input: at most MAX_FILTER_LENGTH characters,
 *   MAX_NESTING_DEPTH nested parentheses/NOTs and MAX_CONDITIONS conditions; the
 *   parser recurses at most that deep, AND/OR chains are built iteratively.
 * - Characters no stored value can contain are errors, raw or escaped: U+0000
 *   (`\u0000`) and half a surrogate pair (`\ud800` not followed by a low-surrogate
 *   escape). Postgres refuses both, and ingest stores them as U+FFFD anyway.
 * - Blank (empty or whitespace-only) text means "no filter": ast null, no
 *   diagnostics.
 *
 * - Aggregate queries (./pipeline.ts) use this parser for their filter, which ends
 *   at the first `|` outside parentheses and values; parseWhere itself never reads a
 *   pipeline, so every filter keeps its meaning (`a=b | c` is still planoai's `a="b | c"`).
 *
 * parseWhere never throws. It stops at the first error; every message names
 * what was expected and ends with ` at column N` (1-based).
 */
import { INTRINSICS } from './ast';
import type { CompareOp, FieldRef, IntrinsicName, Literal, ParseResult, Span, WhereDiagnostic, WhereExpr } from './ast';
import { diagnostic } from './diagnostic';
import { collectConditions } from './keys';
import { classifyUnquoted } from './literal';
import { KEY_RE, findUnstorableChar, isPipe, keywordOf, scanToken, scanValue, skipWhitespace } from './scanner';
import type { Token } from './scanner';
import type { ParseListResult, WhereListDiagnostic } from './types';

export const MAX_FILTER_LENGTH = 4096;
export const MAX_NESTING_DEPTH = 64;
/** Most filters parseWhereList accepts at once (each adds one AND level). */
export const MAX_FILTER_COUNT = 64;
/**
 * Most conditions (`key op value`, `key exists`) in one filter and in a whole list:
 * every condition becomes a few bound parameters, and a query has at most 65535.
 * One filter of MAX_FILTER_LENGTH holds at most this many anyway.
 */
export const MAX_CONDITIONS = 1024;

const NUMERIC_OPS: ReadonlySet<string> = new Set(['>', '>=', '<', '<=']);
const OP_HINTS: Record<string, string> = { '==': '=', '<>': '!=', '=>': '>=', '=<': '<=' };
const INTRINSIC_SET: ReadonlySet<string> = new Set(INTRINSICS);

/** Field reference for a key: intrinsic if it is one of INTRINSICS, else an attribute. */
export function fieldRef(key: string, loc: Span): FieldRef {
  return INTRINSIC_SET.has(key) ? { kind: 'intrinsic', name: key as IntrinsicName, loc } : { kind: 'attribute', key, loc };
}

export function isIntrinsicName(key: string): key is IntrinsicName {
  return INTRINSIC_SET.has(key);
}

class ParseFailure {
  constructor(readonly diagnostic: WhereDiagnostic) {}
}

/** Token text for messages, shortened when long. */
function show(text: string): string {
  const chars = Array.from(text);
  return `'${chars.length > 32 ? chars.slice(0, 32).join('') + '…' : text}'`;
}

type Parsed = { expr: WhereExpr; start: number; end: number };

class Parser {
  private pos = 0;
  private conditions = 0;
  private prev: Token | null = null;
  private cache: { pos: number; tok: Token } | null = null;

  /** `stopAtPipe`: a query's filter, which ends at a `|` outside parentheses and values (./pipeline.ts). */
  constructor(
    private readonly src: string,
    private readonly stopAtPipe = false,
  ) {}

  parseFilter(): WhereExpr {
    const result = this.parseOr(0);
    // parseAnd stops only at the end, at `)`, at OR (which parseOr takes) or at a
    // query's `|`, so anything else left here is a `)` without its `(`.
    const next = this.peek();
    if (next.kind !== 'eof' && !this.atPipe(next)) this.failUnexpected(next);
    return result.expr;
  }

  /** Where the filter stopped: the `|` of a query, or the end. */
  get stoppedAt(): number {
    return this.peek().start;
  }

  private atPipe(tok: Token): boolean {
    return this.stopAtPipe && isPipe(tok);
  }

  private peek(): Token {
    if (this.cache?.pos !== this.pos) this.cache = { pos: this.pos, tok: scanToken(this.src, this.pos) };
    return this.cache.tok;
  }

  private take(tok: Token): void {
    this.pos = tok.end;
    this.prev = tok;
  }

  private fail(message: string, offset: number, length = 1): never {
    throw new ParseFailure(diagnostic(message, offset, length));
  }

  private failUnexpected(tok: Token): never {
    if (tok.kind === 'rparen') this.fail(`unexpected ')'`, tok.start);
    // Defensive: with implicit AND every other token after a term starts a new one.
    this.fail(`unexpected ${show(tok.text)}`, tok.start, tok.end - tok.start);
  }

  /** True when the token is directly followed by an operator (so a keyword is used as a key). */
  private followedByOperator(tok: Token): boolean {
    const next = scanToken(this.src, tok.end);
    return next.kind === 'op' || next.kind === 'badop';
  }

  private parseOr(depth: number): Parsed {
    let left = this.parseAnd(depth);
    for (let tok = this.peek(); keywordOf(tok) === 'or'; tok = this.peek()) {
      this.take(tok);
      const right = this.parseAnd(depth);
      left = {
        expr: { type: 'or', left: left.expr, right: right.expr, loc: { start: left.start, end: right.end } },
        start: left.start,
        end: right.end,
      };
    }
    return left;
  }

  /**
   * `unary ( [AND] unary )*`: after a term, AND is taken if written; the end,
   * `)` and OR end the chain; any other token starts the next term (implicit
   * AND), and parseUnary reports it if it cannot start one.
   */
  private parseAnd(depth: number): Parsed {
    let left = this.parseUnary(depth);
    for (;;) {
      const tok = this.peek();
      if (tok.kind === 'eof' || tok.kind === 'rparen' || this.atPipe(tok)) break;
      const kw = keywordOf(tok);
      if (kw === 'or') break;
      if (kw === 'and') this.take(tok);
      const right = this.parseUnary(depth);
      left = {
        expr: { type: 'and', left: left.expr, right: right.expr, loc: { start: left.start, end: right.end } },
        start: left.start,
        end: right.end,
      };
    }
    return left;
  }

  private parseUnary(depth: number): Parsed {
    const tok = this.peek();
    if (keywordOf(tok) !== 'not' || this.followedByOperator(tok)) return this.parsePrimary(depth);
    if (depth + 1 > MAX_NESTING_DEPTH) this.fail(`nesting deeper than ${MAX_NESTING_DEPTH} levels`, tok.start, tok.end - tok.start);
    this.take(tok);
    const operand = this.parseUnary(depth + 1);
    const loc = { start: tok.start, end: operand.end };
    return { expr: { type: 'not', operand: operand.expr, loc }, start: loc.start, end: loc.end };
  }

  private parsePrimary(depth: number): Parsed {
    const tok = this.peek();
    if (tok.kind === 'lparen') {
      if (depth + 1 > MAX_NESTING_DEPTH) this.fail(`nesting deeper than ${MAX_NESTING_DEPTH} levels`, tok.start);
      this.take(tok);
      const inner = this.parseOr(depth + 1);
      const close = this.peek();
      if (close.kind === 'rparen') {
        this.take(close);
        return { expr: inner.expr, start: tok.start, end: close.end };
      }
      if (close.kind === 'eof') this.fail(`missing ')' to close '('`, tok.start);
      this.failUnexpected(close);
    }
    const kw = keywordOf(tok);
    if (tok.kind !== 'word' || (kw !== null && !this.followedByOperator(tok))) this.failExpectedField(tok);
    return this.parseCondition(tok);
  }

  private failExpectedField(tok: Token): never {
    const after = this.prev ? ` after ${show(this.prev.text)}` : '';
    const hint = tok.kind === 'string' ? ' (field names are written without quotes)' : '';
    this.fail(`expected a field name${after}${hint}`, tok.start, tok.end - tok.start);
  }

  /** `field op value`, `field exists`, `field not exists`; `fieldTok` is a word. */
  private parseCondition(fieldTok: Token): Parsed {
    if (++this.conditions > MAX_CONDITIONS) this.fail(`more than ${MAX_CONDITIONS} conditions`, fieldTok.start, fieldTok.end - fieldTok.start);
    this.take(fieldTok);
    const field = fieldRef(fieldTok.text, { start: fieldTok.start, end: fieldTok.end });
    const next = this.peek();
    if (next.kind === 'op') {
      this.take(next);
      const value = this.parseValue(next);
      const loc = { start: fieldTok.start, end: value.loc.end };
      return { expr: { type: 'compare', field, op: next.text as CompareOp, value, loc }, start: loc.start, end: loc.end };
    }
    if (next.kind === 'badop') {
      this.fail(`unknown operator ${show(next.text)} (did you mean '${OP_HINTS[next.text]}'?)`, next.start, 2);
    }
    const kw = keywordOf(next);
    if (kw === 'exists') {
      this.take(next);
      const loc = { start: fieldTok.start, end: next.end };
      return { expr: { type: 'exists', field, negated: false, loc }, start: loc.start, end: loc.end };
    }
    if (kw === 'not') {
      this.take(next);
      const ex = this.peek();
      if (keywordOf(ex) !== 'exists') {
        this.fail(`expected 'exists' after ${show(fieldTok.text + ' ' + next.text)}`, ex.start, ex.end - ex.start);
      }
      this.take(ex);
      const loc = { start: fieldTok.start, end: ex.end };
      return { expr: { type: 'exists', field, negated: true, loc }, start: loc.start, end: loc.end };
    }
    this.fail(`expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after ${show(fieldTok.text)}`, next.start, next.end - next.start);
  }

  private parseValue(opTok: Token): Literal {
    const op = opTok.text;
    const scan = scanValue(this.src, opTok.end);
    if (scan.kind === 'missing') this.fail(`expected a value after '${op}'`, scan.at);
    if (scan.kind === 'bad-string') {
      const s = scan.scan;
      if (s.reason === 'unterminated') this.fail('unterminated string starting', s.at, this.src.length - s.at);
      if (s.reason === 'bad-char') this.fail(s.message, s.at, s.length);
      this.fail(`invalid escape ${show(this.src.slice(s.at, s.at + s.length))} in string`, s.at, s.length);
    }
    const loc = { start: scan.start, end: scan.end };
    const literal: Literal = scan.kind === 'quoted' ? { kind: 'string', text: scan.value, quoted: true, loc } : classifyUnquoted(scan.text, loc);
    if (NUMERIC_OPS.has(op) && literal.kind === 'string') {
      this.fail(`expected a number or duration after '${op}'`, literal.loc.start, literal.loc.end - literal.loc.start);
    }
    this.pos = literal.loc.end;
    this.prev = { kind: 'word', text: this.src.slice(literal.loc.start, literal.loc.end), ...literal.loc };
    return literal;
  }
}

/**
 * planoai accepts `key=value` when the text has exactly one `=`, the trimmed key
 * matches its key regex and the trimmed value is non-empty. Returns that
 * comparison, or null when the text does not have this shape.
 */
export function planoaiCompatFilter(text: string): WhereExpr | null {
  const eq = text.indexOf('=');
  if (eq < 0 || text.indexOf('=', eq + 1) >= 0) return null;
  const key = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  if (!KEY_RE.test(key) || value === '') return null;
  const keyStart = skipWhitespace(text, 0);
  const valueStart = skipWhitespace(text, eq + 1);
  const keyLoc = { start: keyStart, end: keyStart + key.length };
  const valueLoc = { start: valueStart, end: valueStart + value.length };
  return {
    type: 'compare',
    field: fieldRef(key, keyLoc),
    op: '=',
    value: { kind: 'string', text: value, quoted: false, loc: valueLoc },
    loc: { start: keyLoc.start, end: valueLoc.end },
  };
}

/** Parses one filter. Never throws; see the grammar at the top of this file. */
export function parseWhere(text: string): ParseResult {
  try {
    const src: string = typeof text === 'string' ? text : text == null ? '' : String(text);
    if (src.length > MAX_FILTER_LENGTH) {
      const d = diagnostic(
        `filter is too long (${src.length} characters; the limit is ${MAX_FILTER_LENGTH})`,
        MAX_FILTER_LENGTH,
        src.length - MAX_FILTER_LENGTH,
      );
      return { ast: null, diagnostics: [d] };
    }
    if (skipWhitespace(src, 0) >= src.length) return { ast: null, diagnostics: [] };
    const unstorable = findUnstorableChar(src);
    if (unstorable !== null) return { ast: null, diagnostics: [diagnostic(unstorable.message, unstorable.at)] };
    try {
      return { ast: new Parser(src).parseFilter(), diagnostics: [] };
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      const compat = planoaiCompatFilter(src);
      if (compat) return { ast: compat, diagnostics: [] };
      return { ast: null, diagnostics: [e.diagnostic] };
    }
  } catch (e) {
    // Defensive: a bug must not take the caller down with it.
    const reason = e instanceof Error ? e.message : 'unknown error';
    return { ast: null, diagnostics: [diagnostic(`internal error while parsing the filter (${reason})`, 0)] };
  }
}

/**
 * The filter of a query (./pipeline.ts): the grammar up to the first `|` outside
 * parentheses and values (a value may contain `|`: `a=x|y`), without the planoai
 * fallback, which the query parser tries itself. Throws nothing; `end` is the
 * offset of that `|` (the text's length when there is none).
 */
export function parseFilterBeforePipe(src: string): { ok: true; ast: WhereExpr | null; end: number } | { ok: false; diagnostic: WhereDiagnostic } {
  const first = scanToken(src, 0);
  if (first.kind === 'eof' || isPipe(first)) return { ok: true, ast: null, end: first.start };
  const parser = new Parser(src, true);
  try {
    const ast = parser.parseFilter();
    return { ok: true, ast, end: parser.stoppedAt };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, diagnostic: e.diagnostic };
    const reason = e instanceof Error ? e.message : 'unknown error';
    return { ok: false, diagnostic: diagnostic(`internal error while parsing the query (${reason})`, 0) };
  }
}

/** Each filter of a list parsed on its own (see parseWhereList). */
export type ParsedFilters = {
  /** One entry per input text, index-aligned: null for a blank filter or one with a diagnostic. */
  filters: (WhereExpr | null)[];
  diagnostics: WhereListDiagnostic[];
};

/**
 * The filters of a list parsed one by one, with the list's limits (at most
 * MAX_FILTER_COUNT filters, MAX_CONDITIONS conditions together). Kept apart
 * from parseWhereList so the validator can check each filter and name its index.
 */
export function parseWhereFilters(texts: readonly string[]): ParsedFilters {
  const list: readonly string[] = Array.isArray(texts) ? texts : [];
  if (list.length > MAX_FILTER_COUNT) {
    const d = diagnostic(`too many filters (${list.length}; the limit is ${MAX_FILTER_COUNT})`, 0);
    return { filters: [], diagnostics: [{ ...d, filterIndex: MAX_FILTER_COUNT }] };
  }
  const diagnostics: WhereListDiagnostic[] = [];
  let conditions = 0;
  const filters = list.map((text, filterIndex) => {
    const result = parseWhere(text);
    for (const d of result.diagnostics) diagnostics.push({ ...d, filterIndex });
    if (result.ast) {
      const before = conditions;
      conditions += collectConditions(result.ast).length;
      if (before <= MAX_CONDITIONS && conditions > MAX_CONDITIONS) {
        const d = diagnostic(`the filters have more than ${MAX_CONDITIONS} conditions together`, skipWhitespace(text, 0));
        diagnostics.push({ ...d, filterIndex });
      }
    }
    return result.ast;
  });
  return { filters, diagnostics };
}

/** The filters ANDed in order: [f0, f1, f2] → (f0 AND f1) AND f2; null when there are none. */
export function andFilters(filters: readonly (WhereExpr | null)[]): WhereExpr | null {
  let ast: WhereExpr | null = null;
  for (const f of filters) if (f) ast = ast ? { type: 'and', left: ast, right: f, loc: { start: 0, end: 0 } } : f;
  return ast;
}

/**
 * Parses several filters (like repeated `--where`) and ANDs them in order:
 * [f0, f1, f2] → (f0 AND f1) AND f2. Blank filters are skipped. Diagnostics of
 * every filter are returned, each with the column within its own text and its
 * `filterIndex`; the ast is null when there is any diagnostic.
 *
 * Locations stay relative to each filter's own text; the AND nodes joining two
 * filters have loc {start: 0, end: 0}.
 */
export function parseWhereList(texts: readonly string[]): ParseListResult {
  const { filters, diagnostics } = parseWhereFilters(texts);
  return { ast: diagnostics.length > 0 ? null : andFilters(filters), diagnostics };
}
