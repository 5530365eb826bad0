import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INTRINSICS, parseWhere, quoteString, serializeWhere } from '../../../lib/where';
import type { CompareOp, FieldRef, Literal, WhereExpr } from '../../../lib/where';
import { stripLoc } from './helpers';

/** Asserts the invariants every parse result keeps, whatever the input. */
function checkResult(text: string): void {
  const r = parseWhere(text);
  const blank = text.trim() === '';
  if (r.ast === null) {
    expect(r.diagnostics.length).toBe(blank ? 0 : 1);
  } else {
    expect(r.diagnostics).toEqual([]);
  }
  for (const d of r.diagnostics) {
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeLessThanOrEqual(text.length + 1);
    expect(d.length).toBeGreaterThanOrEqual(1);
    expect(d.message.endsWith(` at column ${d.column}`)).toBe(true);
  }
}

const GRAMMAR_BITS = [
  'a',
  'b.c',
  'service',
  'x-y',
  ' ',
  ' ',
  '\t',
  '(',
  ')',
  '(',
  ')',
  '=',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  '~',
  '!~',
  '!',
  'AND',
  'or',
  'NOT',
  'exists',
  '1',
  '-2.5',
  '1e9',
  '250ms',
  '"',
  '"q"',
  '\\',
  '\\u',
  'plano(llm)',
  '*',
  "'",
  '$',
  '😀',
  '\uD800',
];

describe('parseWhere never throws', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 60 })), (text) => {
        expect(() => checkResult(text)).not.toThrow();
      }),
      { numRuns: 1500 },
    );
  });

  it('on strings made of grammar fragments', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...GRAMMAR_BITS), { maxLength: 30 }), (bits) => {
        checkResult(bits.join(''));
      }),
      { numRuns: 5000 },
    );
  });

  it('on long and deeply nested garbage', () => {
    fc.assert(
      fc.property(fc.constantFrom('(', 'NOT ', ')', '"', 'a=(', 'a=1 AND ', 'x OR '), fc.integer({ min: 1, max: 3000 }), (bit, n) => {
        checkResult(bit.repeat(n));
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------
// A second, randomised printer: any spelling of an AST (random spacing,
// keyword case, redundant parentheses, \u escapes, AND written or implicit)
// parses back to that AST.

const L = { start: 0, end: 0 };
const attrKey = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...'abzAZ09_.:-'.split('')), minLength: 1, maxLength: 6 }),
    fc.constantFrom('llm.model', 'user.id', 'gen_ai.usage.output_tokens'),
  )
  .filter((k) => !(INTRINSICS as readonly string[]).includes(k) && !['and', 'or', 'not', 'exists'].includes(k.toLowerCase()));
const field: fc.Arbitrary<FieldRef> = fc.oneof(
  fc.constantFrom(...INTRINSICS).map((name): FieldRef => ({ kind: 'intrinsic', name, loc: L })),
  attrKey.map((key): FieldRef => ({ kind: 'attribute', key, loc: L })),
);
const value: fc.Arbitrary<Literal> = fc.oneof(
  fc.string({ maxLength: 10 }).map((text): Literal => ({ kind: 'string', text, quoted: true, loc: L })),
  fc
    .constantFrom('x', 'plano(llm)', 'gpt-4o-mini', 'a=b', 'OR', 'usr_12', '2.1.0', '*x?')
    .map((text): Literal => ({ kind: 'string', text, quoted: false, loc: L })),
  fc.constantFrom('1', '-2.5', '1e3', '0').map((text): Literal => ({ kind: 'number', value: Number(text), text, loc: L })),
  fc
    .constantFrom<[string, number]>(['5ns', 5], ['10us', 1e4], ['250ms', 2.5e8], ['1.5s', 1.5e9], ['2m', 1.2e11], ['1h', 3.6e12], ['1d', 8.64e13])
    .map(([text, nanos]): Literal => ({ kind: 'duration', nanos, text, loc: L })),
);
const leaf: fc.Arbitrary<WhereExpr> = fc.oneof(
  fc
    .tuple(field, fc.constantFrom<CompareOp>('=', '!=', '~', '!~', '>', '>=', '<', '<='), value)
    .filter(([, op, v]) => !['>', '>=', '<', '<='].includes(op) || v.kind !== 'string')
    .map(([f, op, v]): WhereExpr => ({ type: 'compare', field: f, op, value: v, loc: L })),
  fc.tuple(field, fc.boolean()).map(([f, negated]): WhereExpr => ({ type: 'exists', field: f, negated, loc: L })),
);
const { expr } = fc.letrec<{ expr: WhereExpr }>((tie) => ({
  expr: fc.oneof(
    { maxDepth: 5, depthIdentifier: 'e' },
    leaf,
    tie('expr').map((operand): WhereExpr => ({ type: 'not', operand, loc: L })),
    fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), tie('expr'), tie('expr')).map(([type, left, right]): WhereExpr => ({ type, left, right, loc: L })),
  ),
}));

type Rng = { pick: <T>(xs: readonly T[]) => T; chance: (p: number) => boolean };

function spell(e: WhereExpr, rng: Rng): string {
  const ws = () => rng.pick([' ', ' ', '  ', '\t', '\n']);
  const optWs = () => (rng.chance(0.5) ? '' : ws());
  const kw = (k: string) => rng.pick([k.toUpperCase(), k.toLowerCase(), k[0].toUpperCase() + k.slice(1)]);
  const prec = (x: WhereExpr) => ({ or: 1, and: 2, not: 3, compare: 4, exists: 4 })[x.type];
  const sub = (x: WhereExpr, needParens: boolean): string => {
    const inner = spell(x, rng);
    return needParens || rng.chance(0.15) ? `(${optWs()}${inner}${optWs()})` : inner;
  };
  const lit = (v: Literal): string => {
    if (v.kind !== 'string' || !v.quoted) return v.text;
    // Quote, sometimes escaping plain letters as \uXXXX.
    return quoteString(v.text).replace(/[a-z]/g, (c) => (rng.chance(0.3) ? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0') : c));
  };
  const fieldText = (f: FieldRef) => (f.kind === 'intrinsic' ? f.name : f.key);
  switch (e.type) {
    case 'and':
    case 'or': {
      // AND may also be left out (implicit AND).
      const joiner = e.type === 'and' && rng.chance(0.4) ? ws() : `${ws()}${kw(e.type)}${ws()}`;
      return `${sub(e.left, prec(e.left) < prec(e))}${joiner}${sub(e.right, prec(e.right) <= prec(e))}`;
    }
    case 'not':
      return `${kw('not')}${ws()}${sub(e.operand, prec(e.operand) < 3)}`;
    case 'exists':
      return `${fieldText(e.field)}${ws()}${e.negated ? kw('not') + ws() : ''}${kw('exists')}`;
    case 'compare': {
      const v = lit(e.value);
      // `a=` directly followed by `=`, `<` or `>` would read as another operator.
      const gap = /^[=<>]/.test(v) ? ws() : optWs();
      return `${fieldText(e.field)}${optWs()}${e.op}${gap}${v}`;
    }
  }
}

describe('parser properties', () => {
  it('any spelling of an AST parses back to it', () => {
    fc.assert(
      fc.property(expr, fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), (ast, stream) => {
        const it = stream[Symbol.iterator]();
        const next = () => it.next().value as number;
        const rng: Rng = {
          pick: (xs) => xs[Math.min(xs.length - 1, Math.floor(next() * xs.length))],
          chance: (p) => next() < p,
        };
        const text = `${rng.chance(0.3) ? ' ' : ''}${spell(ast, rng)}`;
        const r = parseWhere(text);
        expect(r.diagnostics).toEqual([]);
        expect(stripLoc(r.ast)).toEqual(stripLoc(ast));
      }),
      { numRuns: 1500 },
    );
  });

  it('locations of compare nodes point at their source text', () => {
    fc.assert(
      fc.property(expr, (ast) => {
        const text = serializeWhere(ast);
        const parsed = parseWhere(text).ast;
        const stack: WhereExpr[] = parsed ? [parsed] : [];
        while (stack.length) {
          const e = stack.pop()!;
          if (e.type === 'and' || e.type === 'or') stack.push(e.left, e.right);
          else if (e.type === 'not') stack.push(e.operand);
          else {
            const f = e.field;
            expect(text.slice(f.loc.start, f.loc.end)).toBe(f.kind === 'intrinsic' ? f.name : f.key);
            if (e.type === 'compare') {
              const src = text.slice(e.value.loc.start, e.value.loc.end);
              expect(src).toBe(e.value.kind === 'string' && e.value.quoted ? quoteString(e.value.text) : e.value.text);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// Implicit AND: serialize(ast) with every ` AND ` replaced by one space parses
// back to ast. This is a textual replacement, so it is only sound when every
// ` AND ` in the text is a connective and dropping it cannot change how the
// neighbours read. Counterexamples otherwise (see the unit test below):
//  - a quoted value containing ` AND ` (`a = "x AND y"`) changes its value;
//  - an unquoted value or key spelled AND next to a connective
//    (`a = AND AND AND = 1` → `a = AND = 1`) loses a token;
//  - a compare key `or`/`and` right after a term reads as the connective
//    (`a = 1 AND or = x` → `a = 1 or = x` is an OR).
// So the ASTs here have keys that are never AND/OR (keys named not / exists,
// which stay keys at the start of a term, are included) and no value
// containing `AND`; trees of every shape (AND, OR, NOT, exists) are kept.

const keywordKey = fc.constantFrom('not', 'NOT', 'Not', 'exists', 'EXISTS');
const keywordKeyCompare: fc.Arbitrary<WhereExpr> = fc
  .tuple(keywordKey, fc.constantFrom<CompareOp>('=', '!=', '~', '>', '<='), value)
  .filter(([, op, v]) => !['>', '<='].includes(op) || v.kind !== 'string')
  .map(([key, op, v]): WhereExpr => ({ type: 'compare', field: { kind: 'attribute', key, loc: L }, op, value: v, loc: L }));
const { implicitExpr } = fc.letrec<{ implicitExpr: WhereExpr }>((tie) => ({
  implicitExpr: fc.oneof(
    { maxDepth: 5, depthIdentifier: 'i' },
    leaf,
    keywordKeyCompare,
    tie('implicitExpr').map((operand): WhereExpr => ({ type: 'not', operand, loc: L })),
    fc
      .tuple(fc.constantFrom<'and' | 'or'>('and', 'and', 'or'), tie('implicitExpr'), tie('implicitExpr'))
      .map(([type, left, right]): WhereExpr => ({ type, left, right, loc: L })),
  ),
}));

function literals(e: WhereExpr): Literal[] {
  switch (e.type) {
    case 'and':
    case 'or':
      return [...literals(e.left), ...literals(e.right)];
    case 'not':
      return literals(e.operand);
    case 'compare':
      return [e.value];
    case 'exists':
      return [];
  }
}

function countAnds(e: WhereExpr): number {
  switch (e.type) {
    case 'and':
      return 1 + countAnds(e.left) + countAnds(e.right);
    case 'or':
      return countAnds(e.left) + countAnds(e.right);
    case 'not':
      return countAnds(e.operand);
    default:
      return 0;
  }
}

describe('implicit AND properties', () => {
  it('serialize(ast) with every " AND " replaced by a space parses back to ast', () => {
    fc.assert(
      fc.property(implicitExpr, (ast) => {
        fc.pre(literals(ast).every((v) => !v.text.includes('AND')));
        const text = serializeWhere(ast);
        const parts = text.split(' AND ');
        // Every ` AND ` in the text is one of the AND nodes.
        expect(parts.length - 1).toBe(countAnds(ast));
        const implicit = parts.join(' ');
        const r = parseWhere(implicit);
        expect(r.diagnostics).toEqual([]);
        expect(stripLoc(r.ast)).toEqual(stripLoc(ast));
        // And the serializer writes the ANDs back.
        expect(serializeWhere(r.ast)).toBe(text);
      }),
      { numRuns: 1500 },
    );
  });

  it('the restriction is needed: these replacements change the meaning', () => {
    const replaced = (text: string) => parseWhere(text.split(' AND ').join(' '));
    const quoted = 'a = "x AND y"';
    expect(stripLoc(replaced(quoted).ast)).not.toEqual(stripLoc(parseWhere(quoted).ast));
    expect(replaced('a = AND AND AND = 1').ast).toBeNull();
    expect(replaced('a = 1 AND or = x').ast).toBeNull();
  });
});
