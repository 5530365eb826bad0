import { describe, expect, it } from 'vitest';
import { MAX_FILTER_LENGTH, MAX_NESTING_DEPTH, parseWhere } from '../../../lib/where';

/** Asserts the text fails with exactly this message and returns the diagnostic. */
function fails(text: string, message: string, column: number, length?: number) {
  const r = parseWhere(text);
  expect(r.ast).toBeNull();
  expect(r.diagnostics).toHaveLength(1);
  const [d] = r.diagnostics;
  expect(d.message).toBe(message);
  expect(d.column).toBe(column);
  expect(d.message.endsWith(` at column ${column}`)).toBe(true);
  if (length !== undefined) expect(d.length).toBe(length);
  return d;
}

describe('error messages', () => {
  it('missing value: column points where the value should be', () => {
    fails('status_code>=', "expected a value after '>=' at column 14", 14, 1);
    fails('status_code >=   ', "expected a value after '>=' at column 18", 18);
    fails('(a=1 OR b!=)', "expected a value after '!=' at column 12", 12);
    fails('a ~', "expected a value after '~' at column 4", 4);
  });

  it('missing operator', () => {
    fails('foo bar', "expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after 'foo' at column 5", 5, 3);
    fails('foo', "expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after 'foo' at column 4", 4);
    fails('a=1 AND foo$=2', "expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after 'foo' at column 12", 12);
    fails('a=1 AND b ! = 2', "expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after 'b' at column 11", 11);
  });

  it('unknown operators get a hint', () => {
    fails('a==1', "unknown operator '==' (did you mean '='?) at column 2", 2, 2);
    fails('a <> 1', "unknown operator '<>' (did you mean '!='?) at column 3", 3, 2);
  });

  it('not without exists', () => {
    fails('a not b', "expected 'exists' after 'a not' at column 7", 7);
    fails('a not', "expected 'exists' after 'a not' at column 6", 6);
  });

  it("unexpected ')'", () => {
    fails('status>1)', "unexpected ')' at column 9", 9);
    fails('a exists)', "unexpected ')' at column 9", 9);
  });

  it("missing ')'", () => {
    fails('(a>1', "missing ')' to close '(' at column 1", 1);
    fails('a>1 AND (b>2 OR (c>3)', "missing ')' to close '(' at column 9", 9);
  });

  it('unterminated string: column of the opening quote', () => {
    fails('name ~ "abc', 'unterminated string starting at column 8', 8, 4);
    fails('a>1 OR b != "x\\"', 'unterminated string starting at column 13', 13);
  });

  it('invalid escapes', () => {
    fails('a ~ "x\\qy"', "invalid escape '\\q' in string at column 7", 7, 2);
    fails('a ~ "\\u12G4"', "invalid escape '\\u12G4' in string at column 6", 6, 6);
  });

  it('missing field name', () => {
    fails('=5', 'expected a field name at column 1', 1);
    fails('AND a>1', 'expected a field name at column 1', 1, 3);
    fails('a>1 AND', "expected a field name after 'AND' at column 8", 8);
    fails('a>1 OR OR b>1', "expected a field name after 'OR' at column 8", 8, 2);
    fails('()', "expected a field name after '(' at column 2", 2);
    fails('NOT', "expected a field name after 'NOT' at column 4", 4);
    fails('"a">1', 'expected a field name (field names are written without quotes) at column 1', 1, 3);
    fails('a exists AND $b exists', "expected a field name after 'AND' at column 14", 14);
  });

  it('after a complete term, whatever follows must start a term (implicit AND)', () => {
    // No "join filters with AND or OR" any more: adjacent terms are ANDed, so the
    // error is about the term that cannot start or is incomplete.
    fails('a>1 = 5', "expected a field name after '1' at column 5", 5, 1);
    fails('a>1 == 5', "expected a field name after '1' at column 5", 5, 2);
    fails('a exists ~ x', "expected a field name after 'exists' at column 10", 10, 1);
    fails('(a>1) >= 2', "expected a field name after ')' at column 7", 7, 2);
    fails('a>1 $b>2', "expected a field name after '1' at column 5", 5, 1);
    fails('a>1 "b">2', "expected a field name after '1' (field names are written without quotes) at column 5", 5, 3);
    fails('(a>1 < 2)', "expected a field name after '1' at column 6", 6, 1);
    fails('a>1 bar', "expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after 'bar' at column 8", 8, 1);
    fails('x exists y', "expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after 'y' at column 11", 11, 1);
    fails('a>1 NOT', "expected a field name after 'NOT' at column 8", 8, 1);
    fails('a>1 (', "expected a field name after '(' at column 6", 6, 1);
  });

  it('AND and OR after a term stay connectives even before an operator', () => {
    // Not read as comparisons on keys named OR / AND: a missing field is reported.
    fails('duration > 1s OR < 5ms', "expected a field name after 'OR' at column 18", 18, 1);
    fails('a>1 AND = 5', "expected a field name after 'AND' at column 9", 9, 1);
    fails('a>1 or >= 5', "expected a field name after 'or' at column 8", 8, 2);
  });

  it("a stray ')' after a term is still unexpected", () => {
    fails('a>1 b>2)', "unexpected ')' at column 8", 8, 1);
    fails('a>1 (b>2))', "unexpected ')' at column 10", 10, 1);
    fails('a>1 )', "unexpected ')' at column 5", 5, 1);
  });

  it('numeric operators need a number or duration', () => {
    fails('status_code > abc', "expected a number or duration after '>' at column 15", 15, 3);
    fails('duration>=fast', "expected a number or duration after '>=' at column 11", 11, 4);
    fails('a<"5"', "expected a number or duration after '<' at column 3", 3, 3);
    fails('a <= 2.1.0', "expected a number or duration after '<=' at column 6", 6, 5);
  });

  it('shortens long tokens in messages', () => {
    const long = 'k'.repeat(100);
    const d = fails(`a>1 ${long} ${long}`, `expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after '${'k'.repeat(32)}…' at column 106`, 106);
    expect(d.length).toBe(100);
  });
});

describe('hostile input', () => {
  it('rejects filters over the length limit', () => {
    const text = 'a'.repeat(MAX_FILTER_LENGTH + 10);
    fails(
      text,
      `filter is too long (${MAX_FILTER_LENGTH + 10} characters; the limit is ${MAX_FILTER_LENGTH}) at column ${MAX_FILTER_LENGTH + 1}`,
      MAX_FILTER_LENGTH + 1,
      10,
    );
  });

  it('handles 100k opening parentheses without blowing the stack', () => {
    const r = parseWhere('('.repeat(100_000));
    expect(r.ast).toBeNull();
    expect(r.diagnostics[0].message).toMatch(/^filter is too long/);
  });

  it('limits nesting depth of parentheses', () => {
    const depth = MAX_NESTING_DEPTH;
    const okText = '('.repeat(depth) + 'a>1' + ')'.repeat(depth);
    expect(parseWhere(okText).diagnostics).toEqual([]);
    const deep = '('.repeat(depth + 1) + 'a>1' + ')'.repeat(depth + 1);
    fails(deep, `nesting deeper than ${MAX_NESTING_DEPTH} levels at column ${depth + 1}`, depth + 1);
    fails('('.repeat(3000), `nesting deeper than ${MAX_NESTING_DEPTH} levels at column ${depth + 1}`, depth + 1);
  });

  it('limits nesting depth of NOT', () => {
    expect(parseWhere('NOT '.repeat(MAX_NESTING_DEPTH) + 'a>1').diagnostics).toEqual([]);
    const text = 'NOT '.repeat(1000) + 'a>1';
    fails(text, `nesting deeper than ${MAX_NESTING_DEPTH} levels at column ${MAX_NESTING_DEPTH * 4 + 1}`, MAX_NESTING_DEPTH * 4 + 1, 3);
  });

  it('parses long implicit AND chains iteratively', () => {
    const text = Array.from({ length: 1000 }, () => 'a>1').join(' ');
    expect(text.length).toBeLessThanOrEqual(MAX_FILTER_LENGTH);
    const r = parseWhere(text);
    expect(r.diagnostics).toEqual([]);
    let depth = 0;
    for (let e = r.ast; e && e.type === 'and'; e = e.left) depth++;
    expect(depth).toBe(999);
  });

  it('parses long flat AND chains iteratively', () => {
    const text = Array.from({ length: 510 }, () => 'a>1').join(' AND ');
    expect(text.length).toBeLessThanOrEqual(MAX_FILTER_LENGTH);
    const r = parseWhere(text);
    expect(r.diagnostics).toEqual([]);
    let depth = 0;
    for (let e = r.ast; e && e.type === 'and'; e = e.left) depth++;
    expect(depth).toBe(509);
  });

  it('handles deeply nested parentheses inside a value', () => {
    const value = '('.repeat(2000) + ')'.repeat(2000);
    const r = parseWhere(`a ~ ${value}`);
    expect(r.diagnostics).toEqual([]);
    expect(r.ast).toMatchObject({ type: 'compare', value: { kind: 'string', text: value } });
  });

  it('does not crash on non-string input from untyped callers', () => {
    expect(parseWhere(undefined as unknown as string)).toEqual({ ast: null, diagnostics: [] });
    expect(parseWhere(null as unknown as string)).toEqual({ ast: null, diagnostics: [] });
  });
});
