/**
 * Parser of aggregate queries: a `where` filter (./parser.ts, the same grammar and
 * scanner) and the pipeline after `|` that turns the matching requests or spans
 * into a table. Pure; never throws.
 *
 * GRAMMAR (the filter's is in ./parser.ts)
 *
 *   query     := filter? '|' pipeline
 *   pipeline  := [SPANS] [BY '(' key (',' key)* ')'] agg (',' agg)*
 *   agg       := name '(' [key] ')'
 *   name      := count | rate | errors | error_rate            no argument
 *              | count_distinct                              a key
 *              | sum | avg | min | max | p50 | p90 | p95 | p99   a number field
 *
 * - The filter ends at the first `|` outside parentheses and values: `a=x|y` is
 *   the value `x|y`, `a=x | count()` a filter and a pipeline. An empty filter
 *   (`| count()`) counts everything in range.
 * - SPANS and BY are case-insensitive words; `spans` makes every row a span
 *   (default: a request, i.e. a trace). Aggregate names are lower case.
 * - Keys are the filter's (intrinsics included); which key fits where (a number
 *   for p95, a groupable key for by) is ./validate.ts's job (validateQuery).
 * - planoai fallback: when the strict grammar rejects the filter, a text before a
 *   `|` that parses as a pipeline is parsed as a filter on its own (parseWhere,
 *   fallback included), so `error.message=rate limit exceeded | count()` works.
 *
 * Errors have the filter's shape: `unknown aggregate 'p42' at column 20`,
 * `by() needs at least one key at column 3`.
 */
import type { FieldRef, WhereDiagnostic } from './ast';
import { diagnostic } from './diagnostic';
import { MAX_FILTER_LENGTH, fieldRef, parseFilterBeforePipe, parseWhere } from './parser';
import { type AggregateCall, MAX_AGGREGATES, MAX_BY_KEYS, type Pipeline, type QueryParseResult, type QueryUnit, isAggregateName } from './query-ast';
import { findUnstorableChar, isPipe, scanToken, skipWhitespace } from './scanner';
import type { Token } from './scanner';

class PipelineFailure {
  constructor(readonly diagnostic: WhereDiagnostic) {}
}

function fail(message: string, offset: number, length = 1): never {
  throw new PipelineFailure(diagnostic(message, offset, length));
}

function show(tok: Token): string {
  return tok.kind === 'eof' ? 'the end' : `'${tok.text.length > 32 ? tok.text.slice(0, 32) + '…' : tok.text}'`;
}

const isWord = (tok: Token, word: string) => tok.kind === 'word' && tok.text.toLowerCase() === word;
const isComma = (tok: Token) => tok.kind === 'unknown' && tok.text === ',';

/** Reads the pipeline's tokens left to right; every method consumes or fails. */
class PipelineParser {
  private pos: number;

  constructor(
    private readonly src: string,
    pipeAt: number,
  ) {
    this.pos = pipeAt + 1;
  }

  private peek(): Token {
    return scanToken(this.src, this.pos);
  }

  private next(): Token {
    const tok = this.peek();
    this.pos = tok.end;
    return tok;
  }

  private followedByParen(tok: Token): boolean {
    return scanToken(this.src, tok.end).kind === 'lparen';
  }

  parse(pipeAt: number): Pipeline {
    let unit: QueryUnit = 'traces';
    let tok = this.peek();
    if (isWord(tok, 'spans') && !this.followedByParen(tok)) {
      unit = 'spans';
      this.next();
      tok = this.peek();
    }
    let by: FieldRef[] = [];
    if (isWord(tok, 'by') && this.followedByParen(tok)) {
      by = this.parseBy(this.next());
      tok = this.peek();
    }
    if (tok.kind === 'eof') fail(`expected an aggregate such as count() after '${this.src.slice(pipeAt, tok.start).trim()}'`, tok.start);
    const aggregates: AggregateCall[] = [this.parseAggregate()];
    for (tok = this.peek(); tok.kind !== 'eof'; tok = this.peek()) {
      if (!isComma(tok)) fail(`expected ',' or the end of the query, not ${show(tok)}`, tok.start, tok.end - tok.start);
      this.next();
      if (aggregates.length >= MAX_AGGREGATES) fail(`more than ${MAX_AGGREGATES} aggregates`, tok.start);
      aggregates.push(this.parseAggregate());
    }
    return { unit, by, aggregates, loc: { start: pipeAt, end: this.src.length } };
  }

  /** `by(key, …)`; `byTok` is the word `by`. */
  private parseBy(byTok: Token): FieldRef[] {
    this.next(); // (
    const keys: FieldRef[] = [];
    let tok = this.peek();
    if (tok.kind === 'rparen') {
      this.next();
      fail('by() needs at least one key', byTok.start, tok.end - byTok.start);
    }
    for (;;) {
      tok = this.next();
      if (tok.kind !== 'word') fail(`expected a key in by(), not ${show(tok)}`, tok.start, Math.max(1, tok.end - tok.start));
      if (keys.length >= MAX_BY_KEYS) fail(`by() takes at most ${MAX_BY_KEYS} keys`, tok.start, tok.end - tok.start);
      keys.push(fieldRef(tok.text, { start: tok.start, end: tok.end }));
      const sep = this.next();
      if (sep.kind === 'rparen') return keys;
      if (!isComma(sep)) fail(sep.kind === 'eof' ? `missing ')' to close 'by('` : `expected ',' or ')' in by(), not ${show(sep)}`, sep.start);
    }
  }

  private parseAggregate(): AggregateCall {
    const name = this.next();
    if (name.kind !== 'word') fail(`expected an aggregate such as count(), not ${show(name)}`, name.start, Math.max(1, name.end - name.start));
    if (!isAggregateName(name.text)) fail(`unknown aggregate '${name.text}'`, name.start, name.end - name.start);
    const open = this.next();
    if (open.kind !== 'lparen') fail(`expected '(' after '${name.text}'`, open.start);
    let arg: FieldRef | null = null;
    let close = this.next();
    if (close.kind === 'word') {
      arg = fieldRef(close.text, { start: close.start, end: close.end });
      close = this.next();
    }
    if (close.kind !== 'rparen') {
      fail(
        close.kind === 'eof' ? `missing ')' to close '${name.text}('` : `expected ')' after '${this.src.slice(name.start, close.start).trim()}'`,
        close.start,
      );
    }
    return { fn: name.text, arg, loc: { start: name.start, end: close.end } };
  }
}

/** The pipeline starting at the `|` at `pipeAt`. */
function parsePipelineAt(src: string, pipeAt: number): { ok: true; pipeline: Pipeline } | { ok: false; diagnostic: WhereDiagnostic } {
  try {
    return { ok: true, pipeline: new PipelineParser(src, pipeAt).parse(pipeAt) };
  } catch (e) {
    if (e instanceof PipelineFailure) return { ok: false, diagnostic: e.diagnostic };
    throw e;
  }
}

/** Offsets of the `|` characters of `src`, last first (candidates for the planoai fallback). */
function pipeOffsets(src: string): number[] {
  const out: number[] = [];
  for (let i = src.lastIndexOf('|'); i >= 0; i = i === 0 ? -1 : src.lastIndexOf('|', i - 1)) out.push(i);
  return out;
}

/** The strict filter failed: a planoai-style filter before a `|` whose pipeline parses (see the header). */
function fallbackQuery(src: string): QueryParseResult | null {
  for (const at of pipeOffsets(src)) {
    const pipeline = parsePipelineAt(src, at);
    if (!pipeline.ok) continue;
    const filter = parseWhere(src.slice(0, at));
    if (filter.diagnostics.length === 0 && filter.ast) return { ast: { filter: filter.ast, pipeline: pipeline.pipeline }, diagnostics: [] };
  }
  return null;
}

const missingPipe = (at: number) => diagnostic("expected '|' and an aggregate such as '| count()' after the filter", at);

function parseQueryText(src: string): QueryParseResult {
  if (src.length > MAX_FILTER_LENGTH) {
    const d = diagnostic(`query is too long (${src.length} characters; the limit is ${MAX_FILTER_LENGTH})`, MAX_FILTER_LENGTH, src.length - MAX_FILTER_LENGTH);
    return { ast: null, diagnostics: [d] };
  }
  const unstorable = findUnstorableChar(src);
  if (unstorable !== null) return { ast: null, diagnostics: [diagnostic(unstorable.message, unstorable.at)] };
  const filter = parseFilterBeforePipe(src);
  if (!filter.ok) {
    const fallback = fallbackQuery(src);
    if (fallback) return fallback;
    // A whole planoai-style filter, no pipeline: say what is missing rather than where the grammar stopped.
    const whole = src.includes('|') ? null : parseWhere(src).ast;
    return { ast: null, diagnostics: [whole ? missingPipe(src.length) : filter.diagnostic] };
  }
  const pipeTok = scanToken(src, filter.end);
  if (!isPipe(pipeTok)) return { ast: null, diagnostics: [missingPipe(skipWhitespace(src, filter.end))] };
  const pipeline = parsePipelineAt(src, pipeTok.start);
  if (!pipeline.ok) return { ast: null, diagnostics: [pipeline.diagnostic] };
  return { ast: { filter: filter.ast, pipeline: pipeline.pipeline }, diagnostics: [] };
}

/** Parses an aggregate query. Never throws; see the grammar at the top of this file. */
export function parseQuery(text: string): QueryParseResult {
  try {
    return parseQueryText(typeof text === 'string' ? text : text == null ? '' : String(text));
  } catch (e) {
    // Defensive: a bug must not take the caller down with it.
    const reason = e instanceof Error ? e.message : 'unknown error';
    return { ast: null, diagnostics: [diagnostic(`internal error while parsing the query (${reason})`, 0)] };
  }
}
