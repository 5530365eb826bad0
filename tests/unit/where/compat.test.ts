import { describe, expect, it } from 'vitest';
import { parseWhere, planoaiCompatFilter } from '../../../lib/where';
import type { WhereExpr } from '../../../lib/where';
import { and, attr, cmp, exists, intr, not, num, or, str, stripLoc } from './helpers';

/**
 * planoai's rule: exactly one '=', trimmed key matches ^[A-Za-z0-9_.:-]+$,
 * value (everything after '=', trimmed) non-empty.
 */
function planoai(text: string): { key: string; value: string } | null {
  const parts = text.split('=');
  if (parts.length !== 2) return null;
  const key = parts[0].trim();
  const value = parts[1].trim();
  return /^[A-Za-z0-9_.:-]+$/.test(key) && value !== '' ? { key, value } : null;
}

describe('planoai compatibility', () => {
  it.each([
    'user.id=usr_12',
    'service=plano(llm)',
    'llm.model=gpt-4o-mini',
    'service.version=2.1.0',
    'x=a b c',
    'error.message=rate limit exceeded',
    'http.status_code=429',
    '  llm.provider =  openai  ',
    'latency=250ms',
    'a=b"c',
    'k=x)',
    'k="unterminated',
    'k=1 AND',
    'name=a b',
  ])('%j gives exactly key = planoai value', (text) => {
    const expected = planoai(text)!;
    expect(expected).not.toBeNull();
    const r = parseWhere(text);
    expect(r.diagnostics).toEqual([]);
    const ast = r.ast as Extract<WhereExpr, { type: 'compare' }>;
    expect(ast.type).toBe('compare');
    expect(ast.op).toBe('=');
    expect(ast.field.kind === 'intrinsic' ? ast.field.name : ast.field.key).toBe(expected.key);
    // String, number or duration literal: its source text is planoai's value.
    expect(ast.value.text).toBe(expected.value);
    if (ast.value.kind === 'string') expect(ast.value.quoted).toBe(false);
  });

  it('gives the exact literals for the common planoai inputs', () => {
    expect(stripLoc(parseWhere('user.id=usr_12').ast)).toEqual(cmp('user.id', '=', str('usr_12')));
    expect(stripLoc(parseWhere('service=plano(llm)').ast)).toEqual(cmp(intr('service'), '=', str('plano(llm)')));
    expect(stripLoc(parseWhere('llm.model=gpt-4o-mini').ast)).toEqual(cmp('llm.model', '=', str('gpt-4o-mini')));
    expect(stripLoc(parseWhere('service.version=2.1.0').ast)).toEqual(cmp('service.version', '=', str('2.1.0')));
    expect(stripLoc(parseWhere('x=a b c').ast)).toEqual(cmp('x', '=', str('a b c')));
    expect(stripLoc(parseWhere('http.status_code=429').ast)).toEqual(cmp('http.status_code', '=', num(429)));
  });

  it('classifies the fallback key like the grammar does', () => {
    expect(stripLoc(parseWhere('name=chat completion').ast)).toEqual(cmp(intr('name'), '=', str('chat completion')));
  });

  it('records locations of the trimmed key and value', () => {
    const text = '  error.message =  rate limit exceeded ';
    const ast = parseWhere(text).ast as Extract<WhereExpr, { type: 'compare' }>;
    expect(text.slice(ast.field.loc.start, ast.field.loc.end)).toBe('error.message');
    expect(text.slice(ast.value.loc.start, ast.value.loc.end)).toBe('rate limit exceeded');
    expect(text.slice(ast.loc.start, ast.loc.end)).toBe('error.message =  rate limit exceeded');
  });

  it('lets the grammar win when the grammar accepts the text', () => {
    // One '=', but valid grammar: AND is an operator, not part of the value.
    expect(stripLoc(parseWhere('a=1 AND b exists').ast)).toEqual(and(cmp('a', '=', num(1)), { type: 'exists', field: attr('b'), negated: false }));
    expect(stripLoc(parseWhere('a=x OR b>2').ast)).toEqual(or(cmp('a', '=', str('x')), cmp('b', '>', num(2))));
  });

  it('does not apply without exactly one = or with a non-key left side', () => {
    expect(planoaiCompatFilter('a=1 b=2')).toBeNull();
    expect(planoaiCompatFilter('a b=1 2')).toBeNull();
    expect(planoaiCompatFilter('a=')).toBeNull();
    expect(planoaiCompatFilter('a=   ')).toBeNull();
    expect(planoaiCompatFilter('a!=x y')).toBeNull();
    expect(planoaiCompatFilter('a>=x y')).toBeNull();
    expect(planoaiCompatFilter('(a=x y')).toBeNull();
    expect(parseWhere('a=1 b=2 c').diagnostics).toHaveLength(1);
    expect(parseWhere('a=').diagnostics[0].message).toBe("expected a value after '=' at column 3");
    expect(parseWhere('a!=x y').diagnostics).toHaveLength(1);
  });
});

describe('planoai compatibility with implicit AND', () => {
  it('still falls back when the grammar fails, whatever implicit AND reads first', () => {
    // `x=a` then `b` (implicit AND) then `c`: no operator after `b`, so the grammar fails.
    expect(stripLoc(parseWhere('x=a b c').ast)).toEqual(cmp('x', '=', str('a b c')));
    // `limit` has no operator.
    expect(stripLoc(parseWhere('error.message=rate limit exceeded').ast)).toEqual(cmp('error.message', '=', str('rate limit exceeded')));
    expect(stripLoc(parseWhere('error.message=file not found').ast)).toEqual(cmp('error.message', '=', str('file not found')));
    expect(stripLoc(parseWhere('error.message=key does not exist').ast)).toEqual(cmp('error.message', '=', str('key does not exist')));
    expect(stripLoc(parseWhere('msg=a (b c)').ast)).toEqual(cmp('msg', '=', str('a (b c)')));
    expect(stripLoc(parseWhere('msg=a OR').ast)).toEqual(cmp('msg', '=', str('a OR')));
  });

  it('makes two = an implicit AND, never a fallback', () => {
    expect(planoaiCompatFilter('a=1 b=2')).toBeNull();
    expect(stripLoc(parseWhere('a=1 b=2').ast)).toEqual(and(cmp('a', '=', num(1)), cmp('b', '=', num(2))));
    expect(stripLoc(parseWhere('http.status_code=500 error=true').ast)).toEqual(and(cmp('http.status_code', '=', num(500)), cmp('error', '=', str('true'))));
    // Two '=' and a grammar error: an error, as before.
    expect(parseWhere('x=a b c=d').diagnostics).toEqual([
      { message: "expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after 'b' at column 7", column: 7, length: 1 },
    ]);
  });

  it('lets the grammar win when implicit AND makes a one-= text valid', () => {
    expect(stripLoc(parseWhere('x=a b exists').ast)).toEqual(and(cmp('x', '=', str('a')), exists('b')));
    expect(stripLoc(parseWhere('a=1 b>2').ast)).toEqual(and(cmp('a', '=', num(1)), cmp('b', '>', num(2))));
    expect(stripLoc(parseWhere('a=1 NOT b exists').ast)).toEqual(and(cmp('a', '=', num(1)), not(exists('b'))));
  });
});

describe('injection attempts', () => {
  it('SQL-looking text in a single key=value is a plain string value', () => {
    const text = "user.id=x';DROP TABLE spans;--";
    expect(stripLoc(parseWhere(text).ast)).toEqual(cmp('user.id', '=', str("x';DROP TABLE spans;--")));
  });

  it("user.id=x' OR 1=1 -- does not crash; the quote is a plain character, -- is rejected", () => {
    const r = parseWhere("user.id=x' OR 1=1 --");
    expect(r.ast).toBeNull();
    // `--` is a key (implicit AND) with no operator after it.
    expect(r.diagnostics).toEqual([
      {
        message: "expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after '--' at column 21",
        column: 21,
        length: 1,
      },
    ]);
    // Without the trailing comment it is an ordinary OR of two comparisons on
    // plain values: the apostrophe is data, never syntax.
    expect(stripLoc(parseWhere("user.id=x' OR 1=1").ast)).toEqual(or(cmp('user.id', '=', str("x'")), cmp('1', '=', num(1))));
  });

  it('quoted injection text stays one string', () => {
    const text = `user.id="x' OR 1=1 --"`;
    expect(stripLoc(parseWhere(text).ast)).toEqual(cmp('user.id', '=', str("x' OR 1=1 --", true)));
  });
});
