import { describe, expect, it } from 'vitest';
import { INTRINSICS, parseWhere, serializeWhere } from '../../../lib/where';
import type { WhereExpr } from '../../../lib/where';
import { and, attr, cmp, dur, exists, intr, not, num, or, str, stripLoc } from './helpers';

/** Parses, asserts success, returns the AST without locations. */
function ok(text: string): unknown {
  const r = parseWhere(text);
  expect(r.diagnostics).toEqual([]);
  expect(r.ast).not.toBeNull();
  return stripLoc(r.ast);
}

describe('comparison operators', () => {
  it.each([
    ['a=x', '='],
    ['a!=x', '!='],
    ['a~x*', '~'],
    ['a!~x*', '!~'],
  ])('%s uses %s', (text, op) => {
    const ast = ok(text) as { op: string; field: unknown };
    expect(ast.op).toBe(op);
    expect(ast.field).toEqual(attr('a'));
  });

  it.each([
    ['a>5', '>'],
    ['a>=5', '>='],
    ['a<5', '<'],
    ['a<=5', '<='],
  ])('%s uses the numeric operator %s', (text, op) => {
    expect(ok(text)).toEqual(cmp('a', op, num(5)));
  });

  it('allows whitespace around operators or none at all', () => {
    const expected = cmp(intr('status'), '>=', num(500));
    expect(ok('status>=500')).toEqual(expected);
    expect(ok('status >= 500')).toEqual(expected);
    expect(ok('  status   >=\t500  ')).toEqual(expected);
  });

  it('keeps the glob pattern text for ~ and !~ with any kind of value', () => {
    expect(ok('name ~ "chat*"')).toEqual(cmp(intr('name'), '~', str('chat*', true)));
    expect(ok('llm.model !~ gpt-4?-*')).toEqual(cmp('llm.model', '!~', str('gpt-4?-*')));
    expect(ok('a ~ 12')).toEqual(cmp('a', '~', num(12)));
  });

  it('accepts durations for numeric operators', () => {
    expect(ok('duration > 250ms')).toEqual(cmp(intr('duration'), '>', dur(250_000_000, '250ms')));
    expect(ok('trace.duration<=1.5s')).toEqual(cmp(intr('trace.duration'), '<=', dur(1_500_000_000, '1.5s')));
  });
});

describe('exists', () => {
  it('parses field exists and field not exists', () => {
    expect(ok('llm.model exists')).toEqual(exists('llm.model'));
    expect(ok('llm.model not exists')).toEqual(exists('llm.model', true));
  });

  it('treats NOT field exists as NOT of an exists test', () => {
    expect(ok('NOT llm.model exists')).toEqual(not(exists('llm.model')));
  });

  it('is case-insensitive', () => {
    expect(ok('a EXISTS')).toEqual(exists('a'));
    expect(ok('a Not Exists')).toEqual(exists('a', true));
  });
});

describe('precedence and grouping', () => {
  it('binds AND tighter than OR', () => {
    expect(ok('a=1 OR b=2 AND c=3')).toEqual(or(cmp('a', '=', num(1)), and(cmp('b', '=', num(2)), cmp('c', '=', num(3)))));
    expect(ok('a=1 AND b=2 OR c=3')).toEqual(or(and(cmp('a', '=', num(1)), cmp('b', '=', num(2))), cmp('c', '=', num(3))));
  });

  it('binds NOT tighter than AND', () => {
    expect(ok('NOT a=1 AND b=2')).toEqual(and(not(cmp('a', '=', num(1))), cmp('b', '=', num(2))));
    expect(ok('a=1 AND NOT b=2')).toEqual(and(cmp('a', '=', num(1)), not(cmp('b', '=', num(2)))));
  });

  it('is left-associative for AND and OR', () => {
    expect(ok('a=1 AND b=2 AND c=3')).toEqual(and(and(cmp('a', '=', num(1)), cmp('b', '=', num(2))), cmp('c', '=', num(3))));
    expect(ok('a=1 OR b=2 OR c=3')).toEqual(or(or(cmp('a', '=', num(1)), cmp('b', '=', num(2))), cmp('c', '=', num(3))));
  });

  it('groups with parentheses', () => {
    expect(ok('(a=1 OR b=2) AND c=3')).toEqual(and(or(cmp('a', '=', num(1)), cmp('b', '=', num(2))), cmp('c', '=', num(3))));
    expect(ok('NOT (a=1 OR b=2)')).toEqual(not(or(cmp('a', '=', num(1)), cmp('b', '=', num(2)))));
    expect(ok('((a=1))')).toEqual(cmp('a', '=', num(1)));
    expect(ok('a=1 AND(b=2)')).toEqual(and(cmp('a', '=', num(1)), cmp('b', '=', num(2))));
  });

  it('stacks NOT', () => {
    expect(ok('NOT NOT a=1')).toEqual(not(not(cmp('a', '=', num(1)))));
  });

  it('accepts keywords in any case', () => {
    const expected = or(cmp('a', '=', num(1)), and(not(cmp('b', '=', num(2))), exists('c')));
    expect(ok('a=1 or not b=2 and c exists')).toEqual(expected);
    expect(ok('a=1 Or NoT b=2 aNd c ExIsTs')).toEqual(expected);
  });

  it('does not treat words that merely start with a keyword as keywords', () => {
    expect(ok('a=1 AND order=2')).toEqual(and(cmp('a', '=', num(1)), cmp('order', '=', num(2))));
    expect(ok('android exists OR nothing exists')).toEqual(or(exists('android'), exists('nothing')));
  });

  it('reads a keyword directly followed by an operator as a key', () => {
    expect(ok('not=1')).toEqual(cmp('not', '=', num(1)));
    expect(ok('a=1 AND or = x')).toEqual(and(cmp('a', '=', num(1)), cmp('or', '=', str('x'))));
    expect(ok('NOT exists != y')).toEqual(not(cmp('exists', '!=', str('y'))));
  });
});

describe('implicit AND', () => {
  const a = cmp('a', '=', num(1));
  const b = cmp('b', '=', num(2));
  const c = cmp('c', '=', num(3));

  it('joins adjacent terms exactly like AND', () => {
    expect(ok('a=1 b=2')).toEqual(and(a, b));
    expect(ok('a=1 b=2')).toEqual(ok('a=1 AND b=2'));
    expect(ok('a=1\t\n b=2')).toEqual(and(a, b));
    expect(ok('http.status_code=500 error=true')).toEqual(and(cmp('http.status_code', '=', num(500)), cmp('error', '=', str('true'))));
    expect(ok('a exists b not exists')).toEqual(and(exists('a'), exists('b', true)));
    expect(ok('status>=500 duration>250ms')).toEqual(and(cmp(intr('status'), '>=', num(500)), cmp(intr('duration'), '>', dur(250_000_000, '250ms'))));
  });

  it('is left-associative and mixes with explicit AND', () => {
    expect(ok('a=1 b=2 c=3')).toEqual(and(and(a, b), c));
    expect(ok('a=1 AND b=2 c=3')).toEqual(and(and(a, b), c));
    expect(ok('a=1 b=2 AND c=3')).toEqual(and(and(a, b), c));
  });

  it('binds tighter than OR, like AND', () => {
    expect(ok('a=1 b=2 OR c=3')).toEqual(or(and(a, b), c));
    expect(ok('a=1 OR b=2 c=3')).toEqual(or(a, and(b, c)));
    expect(ok('a=1 b=2 OR c=3')).toEqual(ok('a=1 AND b=2 OR c=3'));
  });

  it('takes NOT as the start of the next term', () => {
    expect(ok('a=1 NOT b=2')).toEqual(and(a, not(b)));
    expect(ok('NOT a=1 b=2')).toEqual(and(not(a), b));
    expect(ok('a=1 NOT NOT b=2 c=3')).toEqual(and(and(a, not(not(b))), c));
    expect(ok('a exists NOT b exists')).toEqual(and(exists('a'), not(exists('b'))));
  });

  it('works with parentheses on either side and inside', () => {
    expect(ok('a=1 (b=2 OR c=3)')).toEqual(and(a, or(b, c)));
    expect(ok('(a=1 OR b=2) c=3')).toEqual(and(or(a, b), c));
    expect(ok('(a=1 b=2) OR c=3')).toEqual(or(and(a, b), c));
    expect(ok('(a=1)(b=2)')).toEqual(and(a, b));
    expect(ok('a=1 NOT (b=2 OR c=3)')).toEqual(and(a, not(or(b, c))));
    expect(ok('service=plano(llm) (b=2)')).toEqual(and(cmp(intr('service'), '=', str('plano(llm)')), b));
  });

  it('still recognises keywords in any case', () => {
    expect(ok('a=1 b=2 or c=3')).toEqual(or(and(a, b), c));
    expect(ok('a=1 Or b=2 c=3')).toEqual(or(a, and(b, c)));
    expect(ok('a=1 b=2 and c=3')).toEqual(and(and(a, b), c));
    expect(ok('a=1 not b=2')).toEqual(and(a, not(b)));
    expect(ok('a=1 nOt b=2 oR c ExIsTs')).toEqual(or(and(a, not(b)), exists('c')));
  });

  it('reads NOT directly followed by an operator as a key, AND/OR after a term as connectives', () => {
    expect(ok('a=1 not=2')).toEqual(and(a, cmp('not', '=', num(2))));
    expect(ok('a=1 exists=2')).toEqual(and(a, cmp('exists', '=', num(2))));
    expect(ok('a=1 AND or=x')).toEqual(and(a, cmp('or', '=', str('x'))));
    expect(parseWhere('a=1 or=x b=2').diagnostics).toHaveLength(1);
  });

  it('does not read keywords, parentheses or quotes in value position as new terms', () => {
    expect(ok('name=OR b=2')).toEqual(and(cmp(intr('name'), '=', str('OR')), b));
    expect(ok('a="x y" b=2')).toEqual(and(cmp('a', '=', str('x y', true)), b));
    expect(ok('a=f(x y=2')).toEqual(and(cmp('a', '=', str('f(x')), cmp('y', '=', num(2))));
  });

  it('spans both terms in the location of the AND node', () => {
    const text = ' a=1   (b=2) ';
    const ast = parseWhere(text).ast!;
    expect(ast.type).toBe('and');
    expect(text.slice(ast.loc.start, ast.loc.end)).toBe('a=1   (b=2)');
  });

  it('serializes with an explicit AND', () => {
    expect(serializeWhere(parseWhere('a=1 b=2').ast)).toBe('a = 1 AND b = 2');
    expect(serializeWhere(parseWhere('a=1 NOT (b=2 OR c=3) d exists').ast)).toBe('a = 1 AND NOT (b = 2 OR c = 3) AND d EXISTS');
  });
});

describe('fields', () => {
  it.each(INTRINSICS.map((n) => [n]))('%s is an intrinsic', (name) => {
    expect(ok(`${name} exists`)).toEqual(exists(intr(name)));
  });

  it('treats every other key, including near-misses, as an attribute', () => {
    expect(ok('Service exists')).toEqual(exists('Service'));
    expect(ok('trace.duration.ms exists')).toEqual(exists('trace.duration.ms'));
    expect(ok('http.status_code exists')).toEqual(exists('http.status_code'));
  });

  it('allows letters, digits, _ . : and - in keys', () => {
    expect(ok('gen_ai.usage:input-tokens.2 > 3')).toEqual(cmp('gen_ai.usage:input-tokens.2', '>', num(3)));
    expect(ok('x-request-id=abc')).toEqual(cmp('x-request-id', '=', str('abc')));
  });
});

describe('values', () => {
  it('types unquoted numbers', () => {
    expect(ok('a=500')).toEqual(cmp('a', '=', num(500)));
    expect(ok('a=-1.5')).toEqual(cmp('a', '=', num(-1.5)));
    expect(ok('a=1e3')).toEqual(cmp('a', '=', num(1000, '1e3')));
    expect(ok('a=007')).toEqual(cmp('a', '=', num(7, '007')));
  });

  it('types unquoted durations', () => {
    const cases: Array<[string, number]> = [
      ['250ms', 250e6],
      ['1.5s', 1.5e9],
      ['2m', 120e9],
      ['1h', 3600e9],
      ['1d', 86400e9],
      ['10us', 10_000],
      ['5ns', 5],
    ];
    for (const [text, nanos] of cases) expect(ok(`duration>${text}`)).toEqual(cmp(intr('duration'), '>', dur(nanos, text)));
  });

  it('keeps other unquoted runs as strings', () => {
    for (const v of ['2.1.0', '1.', '1e', '5S', '+5', 'gpt-4o-mini', 'usr_12', '-', '1.5.s', '1_000', '0x10', 'Infinity', '1e999']) {
      const ast = ok(`a=${v}`) as { value: unknown };
      expect(ast.value).toEqual(str(v));
    }
  });

  it('always types quoted values as strings', () => {
    expect(ok('a="500"')).toEqual(cmp('a', '=', str('500', true)));
    expect(ok('a="250ms"')).toEqual(cmp('a', '=', str('250ms', true)));
    expect(ok('a=""')).toEqual(cmp('a', '=', str('', true)));
  });

  it('unescapes \\" \\\\ \\n \\t and \\uXXXX in quoted values', () => {
    expect(ok(String.raw`a="say \"hi\"\\ \n\t\u00e9\u0041"`)).toEqual(cmp('a', '=', str('say "hi"\\ \n\té' + 'A', true)));
  });

  it('keeps spaces, parentheses and keywords inside quotes', () => {
    expect(ok('msg="rate limit (429) AND more" AND b=1')).toEqual(and(cmp('msg', '=', str('rate limit (429) AND more', true)), cmp('b', '=', num(1))));
  });

  it('reads a keyword right after an operator as a value', () => {
    expect(ok('name=OR')).toEqual(cmp(intr('name'), '=', str('OR')));
    expect(ok('name = AND AND x = NOT')).toEqual(and(cmp(intr('name'), '=', str('AND')), cmp('x', '=', str('NOT'))));
    expect(ok('a=exists')).toEqual(cmp('a', '=', str('exists')));
  });

  it('nests parentheses inside unquoted values', () => {
    expect(ok('service=plano(llm)')).toEqual(cmp(intr('service'), '=', str('plano(llm)')));
    expect(ok('(service=plano(llm) OR x=1)')).toEqual(or(cmp(intr('service'), '=', str('plano(llm)')), cmp('x', '=', num(1))));
    expect(ok('(a=f(g(h)))')).toEqual(cmp('a', '=', str('f(g(h))')));
    expect(ok('a=(b)')).toEqual(cmp('a', '=', str('(b)')));
  });

  it('keeps = and quotes as plain characters in unquoted values', () => {
    expect(ok('a=b=c')).toEqual(cmp('a', '=', str('b=c')));
    expect(ok(`a=it's`)).toEqual(cmp('a', '=', str(`it's`)));
    expect(ok('a=x"y')).toEqual(cmp('a', '=', str('x"y')));
  });

  it('ends an unquoted value at any whitespace', () => {
    expect(ok('a=x\tAND\nb=y')).toEqual(and(cmp('a', '=', str('x')), cmp('b', '=', str('y'))));
  });
});

describe('locations', () => {
  it('records 0-based offsets of every node', () => {
    const text = 'NOT (a = "x y") OR service=plano(llm)';
    const ast = parseWhere(text).ast as Extract<WhereExpr, { type: 'or' }>;
    expect(ast.loc).toEqual({ start: 0, end: text.length });
    const notNode = ast.left as Extract<WhereExpr, { type: 'not' }>;
    expect(notNode.loc).toEqual({ start: 0, end: 15 });
    const inner = notNode.operand as Extract<WhereExpr, { type: 'compare' }>;
    expect(text.slice(inner.loc.start, inner.loc.end)).toBe('a = "x y"');
    expect(text.slice(inner.value.loc.start, inner.value.loc.end)).toBe('"x y"');
    const right = ast.right as Extract<WhereExpr, { type: 'compare' }>;
    expect(text.slice(right.field.loc.start, right.field.loc.end)).toBe('service');
    expect(text.slice(right.value.loc.start, right.value.loc.end)).toBe('plano(llm)');
  });

  it('covers parentheses in the span of a binary node', () => {
    const text = '(a=1 OR b=2) AND c=3';
    expect(parseWhere(text).ast?.loc).toEqual({ start: 0, end: text.length });
  });
});

describe('blank input', () => {
  it.each([[''], ['   '], ['\t\n ']])('%j means no filter', (text) => {
    expect(parseWhere(text)).toEqual({ ast: null, diagnostics: [] });
  });
});
