import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCompletion, completionContext, isPlanoaiFallback } from '../../../lib/where/complete';
import { parseWhere } from '../../../lib/where';
import type { CompletionContext } from '../../../lib/where/complete';

/** Context for a text with the cursor written as `|`. */
function at(marked: string): CompletionContext {
  const cursor = marked.indexOf('|');
  expect(cursor).toBeGreaterThanOrEqual(0);
  return completionContext(marked.slice(0, cursor) + marked.slice(cursor + 1), cursor);
}

/** The range a context replaces, as the text it covers. */
function covered(marked: string): string {
  const text = marked.replace('|', '');
  const ctx = at(marked);
  return text.slice(ctx.from, ctx.to);
}

describe('completionContext: key position', () => {
  it.each([
    ['|', ''],
    ['ten|', 'ten'],
    ['  ten|', 'ten'],
    ['(|', ''],
    ['(ten|', 'ten'],
    ['NOT |', ''],
    ['not ten|', 'ten'],
    ['a=1 AND |', ''],
    ['a=1 and us|', 'us'],
    ['a=1 OR |', ''],
    ['a=1 OR (b=2 AND |', ''],
    ['NOT (|', ''],
    ['tenan|t.id', 'tenan'],
  ])('%s → key, prefix %j', (marked, prefix) => {
    const ctx = at(marked);
    expect(ctx.kind).toBe('key');
    expect(ctx.kind === 'key' && ctx.prefix).toBe(prefix);
  });

  it('replaces the whole key when the cursor is inside it', () => {
    expect(covered('tenan|t.id=x')).toBe('tenant.id');
    expect(covered('a=1 AND us|er.id=2')).toBe('user.id');
  });

  it('inserts when the cursor is at the start of a token or between tokens', () => {
    expect(at('|status=error')).toEqual({ kind: 'key', prefix: '', from: 0, to: 0 });
    expect(covered('a=1 AND |b=2')).toBe('');
  });

  it('takes a word followed by an operator after a term as a key (implicit AND)', () => {
    expect(at('a=1 user|.id=5')).toMatchObject({ kind: 'key', prefix: 'user' });
    expect(covered('a=1 user|.id=5')).toBe('user.id');
  });

  it('reads keyword-named keys like the parser does', () => {
    // `not=1` is a comparison on the key `not`, so after it comes a connective.
    expect(at('not=1 |').kind).toBe('connective');
    expect(at('a=1 AND or=2 |').kind).toBe('connective');
  });
});

describe('completionContext: operator position', () => {
  it.each([
    ['tenant.id |', 'tenant.id', ''],
    ['tenant.id   |', 'tenant.id', ''],
    ['tenant.id ex|', 'tenant.id', 'ex'],
    ['tenant.id EXI|', 'tenant.id', 'EXI'],
    ['tenant.id n|', 'tenant.id', 'n'],
    ['tenant.id not |', 'tenant.id', 'not'],
    ['tenant.id not ex|', 'tenant.id', 'not ex'],
    ['tenant.id NOT   e|', 'tenant.id', 'NOT e'],
    ['tenant.id!|', 'tenant.id', '!'],
    ['a=1 AND llm.model |', 'llm.model', ''],
    ['(service |', 'service', ''],
  ])('%s → operator of %s, prefix %j', (marked, key, prefix) => {
    const ctx = at(marked);
    expect(ctx).toMatchObject({ kind: 'operator', key, prefix });
  });

  it('replaces `not` + the partial exists together', () => {
    expect(covered('tenant.id not ex|')).toBe('not ex');
  });

  it('edits the operator when the cursor is in or right before it', () => {
    expect(at('a >|= 5')).toMatchObject({ kind: 'operator', key: 'a', prefix: '>' });
    expect(covered('a >|= 5')).toBe('>=');
    expect(at('a |>= 5')).toMatchObject({ kind: 'operator', key: 'a', prefix: '' });
    expect(covered('a |>= 5')).toBe('>=');
  });
});

describe('completionContext: value position', () => {
  it.each([
    ['tenant.id=|', 'tenant.id', '=', '', false],
    ['tenant.id = |', 'tenant.id', '=', '', false],
    ['tenant.id=ac|', 'tenant.id', '=', 'ac', false],
    ['tenant.id!=ac|', 'tenant.id', '!=', 'ac', false],
    ['http.status_code>=5|', 'http.status_code', '>=', '5', false],
    ['llm.model~gpt-|', 'llm.model', '~', 'gpt-', false],
    ['service=plano(l|', 'service', '=', 'plano(l', false],
    ['service=plano(llm)|', 'service', '=', 'plano(llm)', false],
    ['(service=plano(llm)|', 'service', '=', 'plano(llm)', false],
    ['service="plano(l|', 'service', '=', 'plano(l', true],
    ['service="pla|no"', 'service', '=', 'pla', true],
    ['service="plano"|', 'service', '=', 'plano', true],
    ['a=1 AND b=|', 'b', '=', '', false],
    ['a=1 OR (b=x|', 'b', '=', 'x', false],
    ['name=OR|', 'name', '=', 'OR', false],
  ])('%s → value of %s %s, prefix %j', (marked, key, op, prefix, quoted) => {
    expect(at(marked)).toMatchObject({ kind: 'value', key, op, prefix, quoted });
  });

  it('replaces the whole value, quotes included', () => {
    expect(covered('tenant.id=ac|me-corp AND x=1')).toBe('acme-corp');
    expect(covered('service="pla|no(llm)" AND x=1')).toBe('"plano(llm)"');
    expect(covered('(service=plano(l|lm)) AND x=1')).toBe('plano(llm)');
  });

  it('replaces an unterminated quoted value only up to the cursor', () => {
    expect(covered('a="pl| x')).toBe('"pl');
  });

  it('offers to replace the value when the cursor sits between the operator and it', () => {
    expect(at('a= |x')).toMatchObject({ kind: 'value', prefix: '' });
    expect(covered('a=| x')).toBe('x');
  });

  it('a value in front of `)` is missing, so the value starts at the cursor', () => {
    expect(at('(a=|)')).toMatchObject({ kind: 'value', key: 'a', prefix: '', from: 3, to: 3 });
  });
});

describe('completionContext: after a complete term', () => {
  it.each([
    ['tenant.id=acme |', ''],
    ['tenant.id=acme   |', ''],
    ['a=1 A|', 'A'],
    ['a=1 AN|', 'AN'],
    ['a=1 o|', 'o'],
    ['a exists |', ''],
    ['a not exists |', ''],
    ['a="x y" |', ''],
    ['(a=1) |', ''],
    ['(a=1)|', ''],
    ['(service=plano(llm)) |', ''],
    ['a=1 AND (b=2 OR c=3) |', ''],
    ['a=1 b|', 'b'],
  ])('%s → connective, prefix %j', (marked, prefix) => {
    expect(at(marked)).toMatchObject({ kind: 'connective', prefix });
  });

  it('covers the word being typed', () => {
    expect(covered('a=1 AN|D b=2')).toBe('AND');
  });
});

describe('completionContext: nothing to offer', () => {
  it.each([['a=1 = 5 |'], ['a=1 ) |'], ['"quoted" |'], ['a=1 AND OR |'], ['AND |'], ['a=) |'], ['a == |'], ['a not x |'], ['a #|']])('%s → none', (marked) => {
    expect(at(marked).kind).toBe('none');
  });

  it('never throws, and the range always lies within the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.nat(40), (text, cursor) => {
        const ctx = completionContext(text, cursor);
        expect(ctx.from).toBeGreaterThanOrEqual(0);
        expect(ctx.to).toBeGreaterThanOrEqual(ctx.from);
        expect(ctx.to).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 500 },
    );
  });

  it('clamps the cursor and defaults it to the end', () => {
    expect(completionContext('ten')).toMatchObject({ kind: 'key', prefix: 'ten' });
    expect(completionContext('ten', 99)).toMatchObject({ kind: 'key', prefix: 'ten' });
    expect(completionContext('ten', -5)).toMatchObject({ kind: 'key', prefix: '', from: 0, to: 0 });
  });
});

describe('applyCompletion', () => {
  function accept(marked: string, insert: string): string {
    const cursor = marked.indexOf('|');
    const text = marked.slice(0, cursor) + marked.slice(cursor + 1);
    const r = applyCompletion(text, completionContext(text, cursor), insert);
    return r.text.slice(0, r.cursor) + '|' + r.text.slice(r.cursor);
  }

  it('completes a key and moves on to the operator', () => {
    expect(accept('ten|', 'tenant.id')).toBe('tenant.id |');
    const next = completionContext('tenant.id ', 10);
    expect(next.kind).toBe('operator');
  });

  it('completes an operator, then a value, then a connective', () => {
    expect(accept('tenant.id |', '=')).toBe('tenant.id = |');
    expect(completionContext('tenant.id = ').kind).toBe('value');
    expect(accept('tenant.id = ac|', 'acme-corp')).toBe('tenant.id = acme-corp |');
    expect(completionContext('tenant.id = acme-corp ').kind).toBe('connective');
    expect(accept('tenant.id = acme-corp A|', 'AND')).toBe('tenant.id = acme-corp AND |');
    expect(completionContext('tenant.id = acme-corp AND ').kind).toBe('key');
  });

  it('replaces the token in the middle of the text, reusing the following space', () => {
    expect(accept('tenan|t.id=x AND b=1', 'tenant.id')).toBe('tenant.id|=x AND b=1');
    expect(accept('a=ac|me AND b=1', 'acme-corp')).toBe('a=acme-corp |AND b=1');
    expect(accept('tenant.id not ex|', 'not exists')).toBe('tenant.id not exists |');
    expect(accept('tenant.id!|', '!=')).toBe('tenant.id!= |');
  });

  it('separates inserted words from neighbours', () => {
    expect(accept('a=1 |b=2', 'AND')).toBe('a=1 AND |b=2');
    expect(accept('(a=1)|', 'AND')).toBe('(a=1) AND |');
    expect(accept('(a=|)', 'x')).toBe('(a=x|)');
  });

  it('replaces a quoted value as a whole', () => {
    expect(accept('service="pla|no(l" AND x=1', 'plano(llm)')).toBe('service=plano(llm) |AND x=1');
    expect(accept('service="pl|', '"plano llm"')).toBe('service="plano llm" |');
  });

  it('can skip the trailing space', () => {
    expect(applyCompletion('ten', { from: 0, to: 3 }, 'tenant.id', { space: false })).toEqual({ text: 'tenant.id', cursor: 9 });
  });
});

describe('isPlanoaiFallback', () => {
  it.each([
    ['error.message=rate limit exceeded', true],
    ['tenant.id = "big co" AND status ', true],
    ['a=1 AN', true],
    ['x=a b c', true],
    ['a=1', false],
    ['a="x y"', false],
    ['service=plano(llm)', false],
    ['a=1 AND b=2', false],
    ['', false],
    ['a>=', false],
  ])('%s → %s', (text, expected) => {
    expect(isPlanoaiFallback(parseWhere(text).ast)).toBe(expected);
  });
});
