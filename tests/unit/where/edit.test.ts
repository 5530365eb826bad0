import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWhere, serializeWhere } from '../../../lib/where';
import type { WhereExpr } from '../../../lib/where';
import {
  addConjunct,
  appendTerm,
  astEquals,
  findTopLevelEquals,
  formatValue,
  isFilterableKey,
  setTopLevelEquals,
  setTopLevelEqualsText,
  termExpr,
  topLevelConjuncts,
} from '../../../lib/where/edit';
import { canonical } from './helpers';

const T = 'tenant.id';

function ast(text: string): WhereExpr | null {
  const r = parseWhere(text);
  expect(r.diagnostics).toEqual([]);
  return r.ast;
}

/** setTopLevelEquals on text, serialized. */
function set(text: string, value: string | null, key = T): string {
  return serializeWhere(setTopLevelEquals(ast(text), key, value));
}

/** The serialized result must mean the same as `expected` (parsed). */
function expectSameAst(actual: string, expected: string): void {
  expect(canonical(parseWhere(actual).ast)).toEqual(canonical(parseWhere(expected).ast));
}

describe('topLevelConjuncts', () => {
  it('lists the operands of the AND spine, left to right', () => {
    const parts = topLevelConjuncts(ast('a=1 AND (b=2 AND c=3) AND (d=4 OR e=5) NOT f=6'));
    expect(parts.map((p) => serializeWhere(p))).toEqual(['a = 1', 'b = 2', 'c = 3', 'd = 4 OR e = 5', 'NOT f = 6']);
  });

  it('treats a non-AND filter as a single conjunct, and no filter as none', () => {
    expect(topLevelConjuncts(ast('a=1 OR b=2'))).toHaveLength(1);
    expect(topLevelConjuncts(null)).toEqual([]);
  });
});

describe('findTopLevelEquals', () => {
  it.each([
    ['tenant.id=acme', 'acme'],
    ['tenant.id = acme AND status=error', 'acme'],
    ['status=error AND tenant.id=acme', 'acme'],
    ['a=1 tenant.id=acme b=2', 'acme'],
    ['a=1 AND (tenant.id=acme AND b=2)', 'acme'],
    ['tenant.id="acme corp"', 'acme corp'],
    ['tenant.id="x\\"y"', 'x"y'],
    ['tenant.id=plano(llm)', 'plano(llm)'],
    ['tenant.id=123', '123'],
    ['tenant.id=a AND tenant.id=b', 'a'],
  ])('%s → %s', (text, value) => {
    expect(findTopLevelEquals(ast(text), T)).toBe(value);
  });

  it.each([
    [''],
    ['status=error'],
    ['tenant.id!=acme'],
    ['tenant.id~acme*'],
    ['tenant.id exists'],
    ['tenant.id=a OR b=1'],
    ['(tenant.id=a OR tenant.id=b) AND c=1'],
    ['NOT tenant.id=acme'],
    ['tenant.identity=acme'],
  ])('%s has no top-level tenant', (text) => {
    expect(findTopLevelEquals(parseWhere(text).ast, T)).toBeNull();
  });

  it('finds intrinsic keys by name', () => {
    expect(findTopLevelEquals(ast('service=plano(llm) AND a=1'), 'service')).toBe('plano(llm)');
    expect(findTopLevelEquals(ast('status=error'), 'status')).toBe('error');
  });
});

describe('setTopLevelEquals: add', () => {
  it('adds to no filter', () => {
    expect(serializeWhere(setTopLevelEquals(null, T, 'acme'))).toBe('tenant.id = acme');
    expect(set('', 'acme')).toBe('tenant.id = acme');
  });

  it('appends to a single term and to a chain, keeping order', () => {
    expect(set('status=error', 'acme')).toBe('status = error AND tenant.id = acme');
    expect(set('a=1 b=2 c=3', 'acme')).toBe('a = 1 AND b = 2 AND c = 3 AND tenant.id = acme');
  });

  it('wraps a top-level OR instead of joining it', () => {
    expect(set('a=1 OR b=2', 'acme')).toBe('(a = 1 OR b = 2) AND tenant.id = acme');
  });

  it('does not touch the key nested in OR or NOT (adds a top-level one)', () => {
    expect(set('tenant.id=x OR b=2', 'y')).toBe('(tenant.id = x OR b = 2) AND tenant.id = y');
    expect(set('(tenant.id=x OR tenant.id=z) AND c=1', 'q')).toBe('(tenant.id = x OR tenant.id = z) AND c = 1 AND tenant.id = q');
    expect(set('NOT tenant.id=x', 'y')).toBe('NOT tenant.id = x AND tenant.id = y');
    expect(set('tenant.id!=x', 'y')).toBe('tenant.id != x AND tenant.id = y');
  });
});

describe('setTopLevelEquals: replace', () => {
  it.each([
    ['alone', 'tenant.id=a', 'tenant.id = b'],
    ['first', 'tenant.id=a AND x=1 AND y=2', 'tenant.id = b AND x = 1 AND y = 2'],
    ['middle', 'x=1 AND tenant.id=a AND y=2', 'x = 1 AND tenant.id = b AND y = 2'],
    ['last', 'x=1 AND y=2 AND tenant.id=a', 'x = 1 AND y = 2 AND tenant.id = b'],
    ['implicit AND', 'x=1 tenant.id=a y=2', 'x = 1 AND tenant.id = b AND y = 2'],
    ['inside a parenthesised AND', 'x=1 AND (tenant.id=a AND y=2)', 'x = 1 AND (tenant.id = b AND y = 2)'],
    ['next to an OR group', '(x=1 OR y=2) AND tenant.id=a', '(x = 1 OR y = 2) AND tenant.id = b'],
    ['quoted', 'tenant.id="a b" AND x=1', 'tenant.id = b AND x = 1'],
  ])('%s', (_name, text, expected) => {
    expect(set(text, 'b')).toBe(expected);
  });

  it('keeps the first occurrence and drops later contradicting ones', () => {
    expect(set('tenant.id=a AND x=1 AND tenant.id=c', 'b')).toBe('tenant.id = b AND x = 1');
  });

  it('replaces only the top-level conjunct, not the nested one', () => {
    expect(set('(tenant.id=a OR tenant.id=c) AND tenant.id=a', 'b')).toBe('(tenant.id = a OR tenant.id = c) AND tenant.id = b');
  });

  it('quotes values that need it', () => {
    expect(set('x=1', 'plano(llm)')).toBe('x = 1 AND tenant.id = plano(llm)');
    expect(set('x=1', 'acme corp')).toBe('x = 1 AND tenant.id = "acme corp"');
    expect(set('x=1', 'a)b')).toBe('x = 1 AND tenant.id = "a)b"');
    expect(set('x=1', '(a')).toBe('x = 1 AND tenant.id = "(a"');
    expect(set('x=1', '123')).toBe('x = 1 AND tenant.id = "123"');
    expect(set('x=1', '250ms')).toBe('x = 1 AND tenant.id = "250ms"');
    expect(set('x=1', 'say "hi"')).toBe('x = 1 AND tenant.id = "say \\"hi\\""');
    expect(set('x=1', '')).toBe('x = 1 AND tenant.id = ""');
    expect(set('x=1', 'OR')).toBe('x = 1 AND tenant.id = OR');
  });

  it('reads back the value it wrote', () => {
    for (const v of ['plano(llm)', 'acme corp', 'a)b', '123', '"', 'tab\there', 'é-ü', 'OR', 'a=b']) {
      const text = set('x=1 OR y=2', v);
      expect(findTopLevelEquals(parseWhere(text).ast, T)).toBe(v);
    }
  });
});

describe('setTopLevelEquals: remove', () => {
  it.each([
    ['alone', 'tenant.id=a', ''],
    ['first', 'tenant.id=a AND x=1 AND y=2', 'x = 1 AND y = 2'],
    ['middle', 'x=1 AND tenant.id=a AND y=2', 'x = 1 AND y = 2'],
    ['last', 'x=1 AND y=2 AND tenant.id=a', 'x = 1 AND y = 2'],
    ['every duplicate', 'tenant.id=a x=1 tenant.id=b', 'x = 1'],
    ['inside a parenthesised AND', 'x=1 AND (tenant.id=a AND y=2)', 'x = 1 AND y = 2'],
    ['next to an OR group', '(x=1 OR y=2) AND tenant.id=a', 'x = 1 OR y = 2'],
    ['quoted', 'tenant.id="acme corp" AND x=1', 'x = 1'],
    ['value with parentheses', '(tenant.id=plano(llm)) AND x=1', 'x = 1'],
  ])('%s', (_name, text, expected) => {
    expect(set(text, null)).toBe(expected);
  });

  it('leaves nested occurrences and other operators alone', () => {
    expect(set('tenant.id=a OR x=1', null)).toBe('tenant.id = a OR x = 1');
    expect(set('NOT tenant.id=a AND x=1', null)).toBe('NOT tenant.id = a AND x = 1');
    expect(set('tenant.id!=a AND tenant.id exists', null)).toBe('tenant.id != a AND tenant.id EXISTS');
    expect(setTopLevelEquals(null, T, null)).toBeNull();
  });

  it('keeps the meaning of everything else (OR groups stay grouped)', () => {
    const text = set('(a=1 OR b=2) AND tenant.id=x AND (c=3 OR d=4)', null);
    expect(text).toBe('(a = 1 OR b = 2) AND (c = 3 OR d = 4)');
    expectSameAst(text, '(a=1 OR b=2) AND (c=3 OR d=4)');
  });

  it('does not mutate its input', () => {
    const original = ast('x=1 AND tenant.id=a AND y=2');
    const before = JSON.stringify(original);
    setTopLevelEquals(original, T, 'b');
    setTopLevelEquals(original, T, null);
    expect(JSON.stringify(original)).toBe(before);
  });

  it('property: set then find gives the value; remove then find gives null; the rest is kept', () => {
    const term = fc.constantFrom('a=1', 'b!=x', 'c exists', '(d=1 OR e=2)', 'NOT f=3', 'tenant.id=old', 'tenant.id!=z');
    const value = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(fc.array(term, { maxLength: 6 }), value, (terms, v) => {
        const parsed = parseWhere(terms.join(' AND ')).ast;
        const withTenant = serializeWhere(setTopLevelEquals(parsed, T, v));
        expect(findTopLevelEquals(parseWhere(withTenant).ast, T)).toBe(v);
        const removed = setTopLevelEquals(parsed, T, null);
        expect(findTopLevelEquals(removed, T)).toBeNull();
        const others = terms.filter((t) => t !== 'tenant.id=old');
        expectSameAst(serializeWhere(removed), others.join(' AND '));
      }),
      { numRuns: 200 },
    );
  });
});

describe('setTopLevelEqualsText', () => {
  it('edits text through parse → edit → serialize', () => {
    expect(setTopLevelEqualsText('status=error', T, 'acme')).toEqual({ ok: true, text: 'status = error AND tenant.id = acme' });
    expect(setTopLevelEqualsText('status=error tenant.id=acme', T, null)).toEqual({ ok: true, text: 'status = error' });
  });

  it('returns the text untouched when the selection is already what it says', () => {
    expect(setTopLevelEqualsText('tenant.id=acme   status=error', T, 'acme')).toEqual({ ok: true, text: 'tenant.id=acme   status=error' });
    expect(setTopLevelEqualsText('status=error', T, null)).toEqual({ ok: true, text: 'status=error' });
    expect(setTopLevelEqualsText('', T, null)).toEqual({ ok: true, text: '' });
  });

  it('refuses to edit text that does not parse', () => {
    const r = setTopLevelEqualsText('status>=', T, 'acme');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/expected a value after '>=' at column 9/);
  });

  it('keeps planoai-style values (quoting them)', () => {
    expect(setTopLevelEqualsText('error.message=rate limit exceeded', T, 'acme')).toEqual({
      ok: true,
      text: 'error.message = "rate limit exceeded" AND tenant.id = acme',
    });
  });

  it('reports keys the grammar cannot write', () => {
    expect(setTopLevelEqualsText('a=1', 'bad key', 'x').ok).toBe(false);
  });
});

describe('appendTerm', () => {
  it('ANDs a term to the filter', () => {
    expect(appendTerm('', 'llm.model', '=', 'gpt-4o')).toBe('llm.model = gpt-4o');
    expect(appendTerm('  ', 'llm.model', '=', 'gpt-4o')).toBe('llm.model = gpt-4o');
    expect(appendTerm('status=error', 'service', '=', 'plano(llm)')).toBe('status = error AND service = plano(llm)');
    expect(appendTerm('a=1 OR b=2', 'c', '!=', 'x y')).toBe('(a = 1 OR b = 2) AND c != "x y"');
    expect(appendTerm('a=1', 'error.message', 'exists')).toBe('a = 1 AND error.message EXISTS');
    expect(appendTerm('a=1', 'error.message', 'not exists')).toBe('a = 1 AND error.message NOT EXISTS');
  });

  it('writes numbers for numeric comparisons and text for equality', () => {
    expect(appendTerm('', 'http.status_code', '>=', '500')).toBe('http.status_code >= 500');
    expect(appendTerm('', 'http.status_code', '=', '500')).toBe('http.status_code = "500"');
    expect(appendTerm('', 'http.status_code', '=', 500)).toBe('http.status_code = 500');
    expect(appendTerm('', 'duration', '>', '250ms')).toBe('duration > 250ms');
    expect(appendTerm('', 'trace.duration', '=', '1.5s')).toBe('trace.duration = 1.5s');
    expect(appendTerm('', 'llm.cached', '=', true)).toBe('llm.cached = true');
  });

  it('the result always parses and ends with the term', () => {
    for (const v of ['plano(llm)', 'a b', '', '"', 'x)', 'NOT', 'a=b', '\n']) {
      const text = appendTerm('status=error', 'k', '=', v);
      const r = parseWhere(text);
      expect(r.diagnostics).toEqual([]);
      const parts = topLevelConjuncts(r.ast);
      expect(findTopLevelEquals(parts[parts.length - 1], 'k')).toBe(v);
    }
  });

  it('appends textually to text that does not parse, keeping it invalid', () => {
    for (const [text, expected] of [
      ['a=1 AND b>=', 'a=1 AND b>= AND k = v'],
      ['a=1 b=2 )  ', 'a=1 b=2 ) AND k = v'],
      ['a=1 AND (b=2', 'a=1 AND (b=2 AND k = v'],
      ['a="x OR b=1', 'a="x OR b=1 AND k = v'],
    ]) {
      expect(parseWhere(text).diagnostics).not.toEqual([]);
      expect(appendTerm(text, 'k', '=', 'v')).toBe(expected);
      expect(parseWhere(expected).diagnostics).not.toEqual([]);
    }
  });

  it('never gives broken text a meaning: `a=` + term would read a = "AND"', () => {
    expect(appendTerm('a=', 'c', '=', 'x')).toBe('a=');
    expect(appendTerm('foo', 'c', '=', 'x')).toBe('foo AND c = x');
    expect(parseWhere('foo AND c = x').diagnostics).not.toEqual([]);
  });

  it('throws for keys the grammar cannot write', () => {
    expect(() => appendTerm('', 'has space', '=', 'x')).toThrow();
    expect(() => appendTerm('', 'not', 'exists')).toThrow();
    expect(() => appendTerm('', 'a', '=')).toThrow();
    expect(isFilterableKey('tenant.id')).toBe(true);
    expect(isFilterableKey('k8s.pod:name-1')).toBe(true);
    expect(isFilterableKey('a/b')).toBe(false);
    expect(isFilterableKey('not')).toBe(true);
    expect(isFilterableKey('not', true)).toBe(false);
  });
});

describe('formatValue / termExpr / addConjunct / astEquals', () => {
  it('formats values for insertion', () => {
    expect(formatValue('tenant.id', '=', 'acme-corp')).toBe('acme-corp');
    expect(formatValue('tenant.id', '=', 'acme corp')).toBe('"acme corp"');
    expect(formatValue('http.status_code', '>', '500')).toBe('500');
    expect(formatValue('http.status_code', '>', '1e3')).toBe('1e3');
    expect(formatValue('http.status_code', '<=', '-1.5')).toBe('-1.5');
    expect(formatValue('duration', '=', '250ms')).toBe('250ms');
    expect(formatValue('duration', '=', '5')).toBe('5');
    expect(formatValue('llm.model', '~', 'gpt-*')).toBe('gpt-*');
  });

  it('builds intrinsic fields for intrinsic keys', () => {
    const e = termExpr('status', '=', 'error');
    expect(e.type === 'compare' && e.field.kind).toBe('intrinsic');
    const a = termExpr('tenant.id', '=', 'x');
    expect(a.type === 'compare' && a.field.kind).toBe('attribute');
  });

  it('addConjunct with no filter is the term itself', () => {
    const term = termExpr('a', '=', '1');
    expect(addConjunct(null, term)).toBe(term);
    expect(serializeWhere(addConjunct(ast('b=2 OR c=3'), term))).toBe('(b = 2 OR c = 3) AND a = "1"');
  });

  it('compares ASTs ignoring locations', () => {
    expect(astEquals(ast('a=1 AND b=2'), ast('  a = 1   b=2 '))).toBe(true);
    expect(astEquals(ast('a=1 AND b=2'), ast('b=2 AND a=1'))).toBe(false);
    expect(astEquals(ast('a="1"'), ast('a=1'))).toBe(false);
    expect(astEquals(ast('a exists'), ast('a not exists'))).toBe(false);
    expect(astEquals(ast('NOT (a=1 OR b=x)'), ast('not (a=1 or b=x)'))).toBe(true);
    expect(astEquals(null, null)).toBe(true);
    expect(astEquals(ast('a=1'), null)).toBe(false);
  });
});
