import { describe, expect, it } from 'vitest';
import { keywordOf, scanString, scanToken, scanValue } from '../../../lib/where/scanner';

function tokens(src: string) {
  const out: Array<[string, string, number, number]> = [];
  for (let pos = 0; ;) {
    const t = scanToken(src, pos);
    out.push([t.kind, t.text, t.start, t.end]);
    if (t.kind === 'eof') return out;
    pos = t.end;
  }
}

describe('scanToken', () => {
  it('splits words, operators and parentheses with offsets', () => {
    expect(tokens(' (a.b-c>=5)')).toEqual([
      ['lparen', '(', 1, 2],
      ['word', 'a.b-c', 2, 7],
      ['op', '>=', 7, 9],
      ['word', '5', 9, 10],
      ['rparen', ')', 10, 11],
      ['eof', '', 11, 11],
    ]);
  });

  it('recognises every operator and the common mistakes', () => {
    const ops = ['=', '!=', '>', '>=', '<', '<=', '~', '!~'];
    for (const op of ops) expect(scanToken(`${op}x`, 0)).toMatchObject({ kind: 'op', text: op });
    for (const bad of ['==', '<>', '=>', '=<']) expect(scanToken(bad, 0)).toMatchObject({ kind: 'badop', text: bad });
  });

  it('returns unknown characters one code point at a time', () => {
    expect(scanToken('!x', 0)).toMatchObject({ kind: 'unknown', text: '!' });
    expect(scanToken('😀=1', 0)).toMatchObject({ kind: 'unknown', text: '😀', start: 0, end: 2 });
  });

  it('skips unicode whitespace', () => {
    expect(scanToken('\u00a0\u2003a', 0)).toMatchObject({ kind: 'word', text: 'a', start: 2 });
  });

  it('scans a whole quoted string as one token', () => {
    expect(scanToken('"a b" c', 0)).toMatchObject({ kind: 'string', text: '"a b"', end: 5 });
    expect(scanToken('"a b', 0)).toMatchObject({ kind: 'string', text: '"a b', end: 4 });
  });

  it('detects keywords case-insensitively', () => {
    expect(keywordOf(scanToken('AnD', 0))).toBe('and');
    expect(keywordOf(scanToken('EXISTS', 0))).toBe('exists');
    expect(keywordOf(scanToken('andx', 0))).toBeNull();
  });
});

describe('scanString', () => {
  it('unescapes and reports the end', () => {
    expect(scanString('"a\\"b\\\\c\\u0041" rest', 0)).toEqual({ ok: true, value: 'a"b\\cA', end: 15 });
  });

  it('reports unterminated strings at the opening quote', () => {
    expect(scanString('x "abc', 2)).toEqual({ ok: false, reason: 'unterminated', at: 2 });
    expect(scanString('"abc\\', 0)).toEqual({ ok: false, reason: 'unterminated', at: 0 });
  });

  it('reports bad escapes at the backslash', () => {
    expect(scanString('"ab\\x"', 0)).toEqual({ ok: false, reason: 'bad-escape', at: 3, length: 2 });
  });
});

describe('scanValue', () => {
  it('nests parentheses in unquoted values and stops at a closing one', () => {
    expect(scanValue('= plano(llm)) x', 1)).toEqual({ kind: 'unquoted', text: 'plano(llm)', start: 2, end: 12 });
  });

  it('ignores keywords and operators', () => {
    expect(scanValue('OR', 0)).toMatchObject({ kind: 'unquoted', text: 'OR' });
    expect(scanValue('a=b<c', 0)).toMatchObject({ kind: 'unquoted', text: 'a=b<c' });
  });

  it('reports a missing value at end of input or before )', () => {
    expect(scanValue('   ', 0)).toEqual({ kind: 'missing', at: 3 });
    expect(scanValue('  )', 0)).toEqual({ kind: 'missing', at: 2 });
  });
});
