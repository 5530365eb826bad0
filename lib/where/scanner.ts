/**
 * Tokenizer of the `where` filter grammar. Pure functions over the source text;
 * every token carries 0-based UTF-16 offsets [start, end).
 *
 * The scanner has two modes, chosen by the parser:
 *  - `scanToken` (structure mode): words (keys and keywords), operators,
 *    parentheses, quoted strings, end of input, and single unknown characters.
 *  - `scanValue` (value mode, used right after an operator): a quoted string or
 *    an unquoted run of non-whitespace characters in which `(` … `)` nest and a
 *    `)` at depth 0 ends the value. Keywords are not recognised in this mode, so
 *    `name=OR` is the value `OR`.
 */

export type TokenKind =
  | 'word' // run of key characters [A-Za-z0-9_.:-]; may be a keyword
  | 'op' // = != > >= < <= ~ !~
  | 'badop' // == <> => =< (common mistakes, reported with a hint)
  | 'lparen'
  | 'rparen'
  | 'string' // "…" (in structure mode only ever an error position)
  | 'unknown' // any other single character (code point)
  | 'eof';

export type Token = { kind: TokenKind; text: string; start: number; end: number };

export type Keyword = 'and' | 'or' | 'not' | 'exists';

/** planoai's key regex. */
export const KEY_RE = /^[A-Za-z0-9_.:-]+$/;

export function isKeyChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x5f || // _
    code === 0x2e || // .
    code === 0x3a || // :
    code === 0x2d // -
  );
}

const WS_RE = /\s/;

/** Whitespace as JavaScript's `\s` / String.prototype.trim define it. */
export function isWhitespaceCode(code: number): boolean {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return true;
  if (code < 0x80) return false;
  return WS_RE.test(String.fromCharCode(code));
}

export function skipWhitespace(src: string, pos: number): number {
  while (pos < src.length && isWhitespaceCode(src.charCodeAt(pos))) pos++;
  return pos;
}

/** Lower-cased keyword if the token is the word AND / OR / NOT / EXISTS (any case). */
export function keywordOf(tok: Token): Keyword | null {
  if (tok.kind !== 'word' || tok.text.length > 6) return null;
  const lower = tok.text.toLowerCase();
  return lower === 'and' || lower === 'or' || lower === 'not' || lower === 'exists' ? lower : null;
}

/** The `|` that starts a query's pipeline (scanned as a single unknown character). */
export function isPipe(tok: Token): boolean {
  return tok.kind === 'unknown' && tok.text === '|';
}

const BAD_OPS = ['==', '<>', '=>', '=<'] as const;

/** Next structure-mode token at or after `pos` (leading whitespace skipped). */
export function scanToken(src: string, pos: number): Token {
  const start = skipWhitespace(src, pos);
  const n = src.length;
  if (start >= n) return { kind: 'eof', text: '', start: n, end: n };
  const code = src.charCodeAt(start);
  const ch = src[start];
  const tok = (kind: TokenKind, end: number): Token => ({ kind, text: src.slice(start, end), start, end });

  if (isKeyChar(code)) {
    let end = start + 1;
    while (end < n && isKeyChar(src.charCodeAt(end))) end++;
    return tok('word', end);
  }
  if (ch === '(') return tok('lparen', start + 1);
  if (ch === ')') return tok('rparen', start + 1);
  if (ch === '"') {
    const s = scanString(src, start);
    return tok('string', s.ok ? s.end : n);
  }
  const two = src.slice(start, start + 2);
  if ((BAD_OPS as readonly string[]).includes(two)) return tok('badop', start + 2);
  if (two === '!=' || two === '>=' || two === '<=' || two === '!~') return tok('op', start + 2);
  if (ch === '=' || ch === '>' || ch === '<' || ch === '~') return tok('op', start + 1);
  // One whole code point, so messages never show half a surrogate pair.
  const cp = src.codePointAt(start) ?? code;
  return tok('unknown', start + (cp > 0xffff ? 2 : 1));
}

export type StringScan =
  | { ok: true; value: string; end: number }
  | { ok: false; reason: 'unterminated'; at: number }
  | { ok: false; reason: 'bad-escape'; at: number; length: number }
  /** An escape spelling a character no value can hold (NUL, half a surrogate pair); `message` says which. */
  | { ok: false; reason: 'bad-char'; at: number; length: number; message: string };

/**
 * Scans a double-quoted string whose opening quote is at `start`.
 * Escapes: \" \\ \n \t \uXXXX. On success `end` is just past the closing quote.
 * Unterminated → `at` is the opening quote; bad escape → `at` is the backslash.
 */
export function scanString(src: string, start: number): StringScan {
  const n = src.length;
  let out = '';
  let i = start + 1;
  let chunk = i;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 0x22 /* " */) {
      out += src.slice(chunk, i);
      return { ok: true, value: out, end: i + 1 };
    }
    if (c !== 0x5c /* \ */) {
      i++;
      continue;
    }
    out += src.slice(chunk, i);
    const e = src[i + 1];
    if (e === '"' || e === '\\') {
      out += e;
      i += 2;
    } else if (e === 'n') {
      out += '\n';
      i += 2;
    } else if (e === 't') {
      out += '\t';
      i += 2;
    } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(src.slice(i + 2, i + 6))) {
      const code = parseInt(src.slice(i + 2, i + 6), 16);
      const escape = src.slice(i, i + 6);
      if (code === 0) return { ok: false, reason: 'bad-char', at: i, length: 6, message: `NUL character ${show(escape)} is not allowed in a value` };
      if (code >= 0xd800 && code <= 0xdfff) {
        // Only a high surrogate escape directly followed by a low one makes a character.
        const low = /^\\u[dD][c-fC-F][0-9A-Fa-f]{2}$/.test(src.slice(i + 6, i + 12)) ? parseInt(src.slice(i + 8, i + 12), 16) : -1;
        if (code > 0xdbff || low < 0) {
          return { ok: false, reason: 'bad-char', at: i, length: 6, message: `unpaired surrogate ${show(escape)} is not allowed in a value` };
        }
        out += String.fromCharCode(code, low);
        i += 12;
      } else {
        out += String.fromCharCode(code);
        i += 6;
      }
    } else if (e === undefined) {
      return { ok: false, reason: 'unterminated', at: start };
    } else {
      // `\u` with bad hex digits: underline what is there of `\uXXXX`.
      const length = e === 'u' ? Math.min(6, n - i) : 2;
      return { ok: false, reason: 'bad-escape', at: i, length };
    }
    chunk = i;
  }
  return { ok: false, reason: 'unterminated', at: start };
}

/**
 * End of an unquoted value starting at `start` (which must not be whitespace,
 * `"` or a depth-0 `)`): stops at whitespace or at a `)` that closes nothing
 * opened inside the value. `plano(llm)` is one value; in `(a=plano(llm))` the
 * last `)` is not part of it.
 */
export function scanUnquotedEnd(src: string, start: number): number {
  let depth = 0;
  let i = start;
  for (; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (isWhitespaceCode(c)) break;
    if (c === 0x28 /* ( */) depth++;
    else if (c === 0x29 /* ) */) {
      if (depth === 0) break;
      depth--;
    }
  }
  return i;
}

function show(text: string): string {
  return `'${text}'`;
}

/**
 * Offset of the first character no stored value can contain (Postgres text and jsonb
 * refuse U+0000; jsonb refuses half a surrogate pair), with a message; null when none.
 */
export function findUnstorableChar(src: string): { at: number; message: string } | null {
  const m = /[\u0000\ud800-\udfff]/.exec(src);
  if (m === null) return null;
  for (let i = m.index; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0) return { at: i, message: 'NUL character (U+0000) is not allowed' };
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = src.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    return { at: i, message: `unpaired surrogate U+${c.toString(16).toUpperCase()} is not allowed` };
  }
  return null;
}

export type ValueScan =
  /** Nothing there: end of input or a `)` closing a group. `at` is where the value should be. */
  | { kind: 'missing'; at: number }
  | { kind: 'quoted'; value: string; start: number; end: number }
  | { kind: 'unquoted'; text: string; start: number; end: number }
  | { kind: 'bad-string'; scan: Extract<StringScan, { ok: false }> };

/** Value-mode scan at or after `pos` (leading whitespace skipped). */
export function scanValue(src: string, pos: number): ValueScan {
  const start = skipWhitespace(src, pos);
  if (start >= src.length || src[start] === ')') return { kind: 'missing', at: start };
  if (src[start] === '"') {
    const s = scanString(src, start);
    return s.ok ? { kind: 'quoted', value: s.value, start, end: s.end } : { kind: 'bad-string', scan: s };
  }
  const end = scanUnquotedEnd(src, start);
  return { kind: 'unquoted', text: src.slice(start, end), start, end };
}
