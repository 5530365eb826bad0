/**
 * Autocomplete context for the `where` box: what kind of thing the cursor is
 * on (a key, an operator, a value, a connective), found with the same scanner
 * and the same term structure as ./parser.ts. Pure; never throws.
 *
 * The text is walked token by token from the start, as the parser would,
 * until the token under (or just after) the cursor:
 *
 *   |                        key         (also after `(`, NOT, AND, OR)
 *   tenant.i|                key         prefix `tenant.i`
 *   tenant.id |              operator    after a key and whitespace
 *   tenant.id ex|            operator    prefix `ex` (→ exists)
 *   tenant.id not ex|        operator    prefix `not ex` (→ not exists)
 *   tenant.id!|              operator    prefix `!` (→ !=, !~)
 *   tenant.id=|  / = |       value       empty prefix
 *   tenant.id=ac|            value       prefix `ac`
 *   service="plano(l|        value       prefix `plano(l`, quoted
 *   tenant.id=acme |         connective  AND / OR (a key also fits: implicit AND)
 *   a=1 AN|                  connective  prefix `AN`
 *
 * Where the text before the cursor is not valid grammar (e.g. `a=1 = 5 |`,
 * a stray `)`, a quoted field name) the context is `none`.
 *
 * `from`/`to` is the range a chosen suggestion replaces: the whole token the
 * cursor is in (so completing in the middle of a key replaces all of it), or
 * the empty range at the cursor when it sits between tokens or at the very
 * start of one.
 */
import type { CompareOp, WhereExpr } from './ast';
import { pipelineContext } from './complete-pipeline';
import { isPipe, keywordOf, scanToken, scanValue, skipWhitespace } from './scanner';
import { needsQuotes } from './serializer';
import type { Token } from './scanner';

export type CompletionContext =
  | { kind: 'key'; prefix: string; from: number; to: number }
  | { kind: 'operator'; key: string; prefix: string; from: number; to: number }
  | { kind: 'value'; key: string; op: CompareOp; prefix: string; quoted: boolean; from: number; to: number }
  | { kind: 'connective'; prefix: string; from: number; to: number }
  /**
   * In a query's pipeline (./complete-pipeline.ts): an aggregate name; `head` says what
   * else fits there — `unit`: `spans` and `by(` (right after `|`), `by`: `by(` (after `spans`).
   */
  | { kind: 'aggregate'; prefix: string; head: 'unit' | 'by' | 'none'; from: number; to: number }
  | { kind: 'none'; from: number; to: number };

/** What the operator list offers, in this order. */
export const COMPLETION_OPERATORS = ['=', '!=', '>', '>=', '<', '<=', '~', '!~', 'exists', 'not exists'] as const;
export type CompletionOperator = (typeof COMPLETION_OPERATORS)[number];

export const COMPLETION_CONNECTIVES = ['AND', 'OR'] as const;

type State = { s: 'term' } | { s: 'afterKey'; key: string } | { s: 'afterKeyNot'; key: string; notStart: number } | { s: 'afterTerm' };

function followedByOperator(text: string, tok: Token): boolean {
  const next = scanToken(text, tok.end);
  return next.kind === 'op' || next.kind === 'badop';
}

/**
 * Context at `cursor` (clamped to the text; default: end of text). With `query`, the
 * text is an aggregate query: after a `|` ending the filter, the pipeline's contexts.
 */
export function completionContext(text: string, cursor: number = text.length, { query = false }: { query?: boolean } = {}): CompletionContext {
  const src = typeof text === 'string' ? text : '';
  const at = Math.max(0, Math.min(Number.isFinite(cursor) ? Math.floor(cursor) : src.length, src.length));
  try {
    return walk(src, at, query);
  } catch {
    return { kind: 'none', from: at, to: at };
  }
}

function contextFor(state: State, text: string, prefix: string, from: number, to: number): CompletionContext {
  switch (state.s) {
    case 'term':
      return { kind: 'key', prefix, from, to };
    case 'afterKey':
      return { kind: 'operator', key: state.key, prefix, from, to };
    case 'afterKeyNot': {
      // `not` + the part of `exists` typed so far, whitespace normalised.
      const typed = text.slice(state.notStart, from).trim().replace(/\s+/g, ' ');
      return { kind: 'operator', key: state.key, prefix: `${typed} ${prefix}`.trimEnd(), from: state.notStart, to };
    }
    case 'afterTerm':
      return { kind: 'connective', prefix, from, to };
  }
}

function walk(text: string, cursor: number, query: boolean): CompletionContext {
  const none = (): CompletionContext => ({ kind: 'none', from: cursor, to: cursor });
  let state: State = { s: 'term' };
  let pos = 0;
  let depth = 0;
  // Every iteration consumes a token or moves from afterTerm to term, so
  // 2 × (length + 1) iterations are always enough.
  for (let guard = 0; guard <= 2 * (text.length + 1); guard++) {
    const tok = scanToken(text, pos);
    // A query's `|` after a whole term (or before any): the pipeline's contexts.
    if (query && isPipe(tok) && depth === 0 && tok.end <= cursor && (state.s === 'afterTerm' || (state.s === 'term' && pos === 0))) {
      return pipelineContext(text, tok.start, cursor);
    }
    // Cursor between tokens (or at the end): insert at the cursor.
    if (tok.kind === 'eof' || tok.start > cursor) return contextFor(state, text, '', cursor, cursor);
    if (tok.start === cursor) {
      // `key |= x`: the cursor right before an operator edits the operator.
      if (tok.kind === 'op' && state.s === 'afterKey') {
        return { kind: 'operator', key: state.key, prefix: '', from: tok.start, to: tok.end };
      }
      return contextFor(state, text, '', cursor, cursor);
    }
    const touches = tok.start < cursor && cursor <= tok.end;
    if (touches && tok.kind === 'word') {
      const prefix = text.slice(tok.start, cursor);
      if (state.s === 'afterTerm') {
        const kw = keywordOf(tok);
        // `a=1 user.id|=5`: a word followed by an operator starts a new term (implicit AND).
        if (kw !== 'and' && kw !== 'or' && followedByOperator(text, tok)) {
          return { kind: 'key', prefix, from: tok.start, to: tok.end };
        }
      }
      return contextFor(state, text, prefix, tok.start, tok.end);
    }
    if (touches && state.s === 'afterKey' && (tok.kind === 'unknown' || (tok.kind === 'op' && cursor < tok.end))) {
      // `key!|` (half of != / !~) or the cursor inside a two-character operator.
      if (tok.kind === 'unknown' && tok.text !== '!') return none();
      return { kind: 'operator', key: state.key, prefix: text.slice(tok.start, cursor), from: tok.start, to: tok.end };
    }
    if (touches && tok.kind !== 'lparen' && tok.kind !== 'rparen' && tok.kind !== 'op') return none();

    // The token ends at or before the cursor: advance as the parser would.
    switch (state.s) {
      case 'term': {
        if (tok.kind === 'lparen') {
          depth++;
          pos = tok.end;
          continue;
        }
        if (tok.kind !== 'word') return none();
        const kw = keywordOf(tok);
        if (kw !== null && !followedByOperator(text, tok)) {
          if (kw !== 'not') return none();
          pos = tok.end;
          continue;
        }
        state = { s: 'afterKey', key: tok.text };
        pos = tok.end;
        continue;
      }
      case 'afterKey': {
        if (tok.kind === 'op') {
          const op = tok.text as CompareOp;
          const v = scanValue(text, tok.end);
          if (v.kind === 'missing') {
            if (v.at >= cursor) return { kind: 'value', key: state.key, op, prefix: '', quoted: false, from: cursor, to: cursor };
            return none();
          }
          if (v.kind === 'bad-string') {
            // Unterminated (or badly escaped) quoted value: it runs to the end,
            // so the cursor is in it; replace only up to the cursor.
            const quoteAt = skipWhitespace(text, tok.end);
            if (cursor <= quoteAt) return { kind: 'value', key: state.key, op, prefix: '', quoted: false, from: cursor, to: cursor };
            return { kind: 'value', key: state.key, op, prefix: text.slice(quoteAt + 1, cursor), quoted: true, from: quoteAt, to: cursor };
          }
          const quoted = v.kind === 'quoted';
          if (cursor < v.start) return { kind: 'value', key: state.key, op, prefix: '', quoted, from: v.start, to: v.end };
          if (cursor <= v.end) {
            const prefixStart = quoted ? Math.min(v.start + 1, cursor) : v.start;
            const prefixEnd = quoted && cursor === v.end ? v.end - 1 : cursor;
            const prefix = text.slice(prefixStart, Math.max(prefixStart, prefixEnd));
            return { kind: 'value', key: state.key, op, prefix, quoted, from: v.start, to: v.end };
          }
          state = { s: 'afterTerm' };
          pos = v.end;
          continue;
        }
        const kw = keywordOf(tok);
        if (kw === 'exists') {
          state = { s: 'afterTerm' };
          pos = tok.end;
          continue;
        }
        if (kw === 'not') {
          state = { s: 'afterKeyNot', key: state.key, notStart: tok.start };
          pos = tok.end;
          continue;
        }
        return none();
      }
      case 'afterKeyNot': {
        if (keywordOf(tok) !== 'exists') return none();
        state = { s: 'afterTerm' };
        pos = tok.end;
        continue;
      }
      case 'afterTerm': {
        if (tok.kind === 'rparen') {
          if (--depth < 0) return none();
          pos = tok.end;
          continue;
        }
        const kw = keywordOf(tok);
        if (kw === 'and' || kw === 'or') {
          state = { s: 'term' };
          pos = tok.end;
          continue;
        }
        // Implicit AND: the token starts the next term.
        state = { s: 'term' };
        continue;
      }
    }
  }
  return none();
}

/** Result of inserting a suggestion: the new text and where the cursor goes. */
export type CompletionEdit = { text: string; cursor: number };

/**
 * Replaces the context's range with `insert`. With `space` (the default), a
 * separating space follows the insertion, so the next context starts right
 * away (after a key: operators; after a value: AND / OR), except that an
 * existing whitespace character is reused (the cursor skips over it) and no
 * space goes before a `)` or an operator character (`key|=x` stays `key=x`).
 * A space is also put before a word-like insertion that would otherwise glue
 * onto a preceding word, `)` or `"` (e.g. `exists` right after a key, AND
 * after `)`).
 */
export function applyCompletion(text: string, ctx: { from: number; to: number }, insert: string, { space = true }: { space?: boolean } = {}): CompletionEdit {
  const from = Math.max(0, Math.min(ctx.from, text.length));
  const to = Math.max(from, Math.min(ctx.to, text.length));
  const before = text.slice(0, from);
  const after = text.slice(to);
  const wordChar = /[A-Za-z0-9_.:-]/;
  const prev = before[before.length - 1] ?? '';
  const lead = (wordChar.test(prev) || prev === ')' || prev === '"') && wordChar.test(insert[0] ?? '') ? ' ' : '';
  let tail = '';
  let skip = 0;
  if (space) {
    if (after === '') tail = ' ';
    else if (/\s/.test(after[0])) skip = 1;
    else if (!/[)=!<>~]/.test(after[0])) tail = ' ';
  }
  const head = before + lead + insert + tail;
  return { text: head + after, cursor: head.length + skip };
}

/**
 * Whether a parse result came from the planoai fallback (`key=<rest of the
 * text>`, see ./parser.ts) rather than from the grammar: the grammar never
 * produces an unquoted string that would need quotes, the fallback always
 * does when it kicks in on text the grammar rejected (`a=1 AN`,
 * `error.message=rate limit exceeded`). The where box uses this to tell a
 * half-typed filter from a finished one, and to show how such text is read.
 */
export function isPlanoaiFallback(ast: WhereExpr | null): boolean {
  if (!ast || ast.type !== 'compare' || ast.op !== '=') return false;
  const v = ast.value;
  return v.kind === 'string' && !v.quoted && needsQuotes(v.text);
}
