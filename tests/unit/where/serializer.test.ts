import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INTRINSICS, needsQuotes, parseWhere, serializeWhere } from '../../../lib/where';
import type { CompareOp, FieldRef, Literal, WhereExpr } from '../../../lib/where';
import { canonical, stripLoc } from './helpers';

const L = { start: 0, end: 0 };

function roundTrip(text: string): string {
  const r = parseWhere(text);
  expect(r.diagnostics).toEqual([]);
  return serializeWhere(r.ast);
}

describe('serializeWhere', () => {
  it('writes canonical spacing and uppercase keywords', () => {
    expect(roundTrip('a=1   and   b!=x or not   c exists')).toBe('a = 1 AND b != x OR NOT c EXISTS');
    expect(roundTrip('status>=500')).toBe('status >= 500');
    expect(roundTrip('a not exists')).toBe('a NOT EXISTS');
    expect(roundTrip('duration>1.5s')).toBe('duration > 1.5s');
    expect(roundTrip('a~x*')).toBe('a ~ x*');
  });

  it('keeps only parentheses that precedence needs', () => {
    expect(roundTrip('((a=1) OR (b=2 AND c=3))')).toBe('a = 1 OR b = 2 AND c = 3');
    expect(roundTrip('(a=1 OR b=2) AND c=3')).toBe('(a = 1 OR b = 2) AND c = 3');
    expect(roundTrip('NOT (a=1 AND b=2)')).toBe('NOT (a = 1 AND b = 2)');
    expect(roundTrip('NOT (a exists)')).toBe('NOT a EXISTS');
    expect(roundTrip('(NOT a=1) AND b=2')).toBe('NOT a = 1 AND b = 2');
    expect(roundTrip('(a=1 AND b=2) AND c=3')).toBe('a = 1 AND b = 2 AND c = 3');
  });

  it('keeps parentheses that preserve a right-nested tree', () => {
    expect(roundTrip('a=1 AND (b=2 AND c=3)')).toBe('a = 1 AND (b = 2 AND c = 3)');
    expect(roundTrip('a=1 OR (b=2 OR c=3)')).toBe('a = 1 OR (b = 2 OR c = 3)');
  });

  it('quotes values only when needed', () => {
    expect(roundTrip('service=plano(llm)')).toBe('service = plano(llm)');
    expect(roundTrip('a=b=c')).toBe('a = b=c');
    expect(roundTrip('name=OR')).toBe('name = OR');
    expect(roundTrip('x=a b c')).toBe('x = "a b c"');
    expect(roundTrip('a="500"')).toBe('a = "500"');
    expect(roundTrip('a="x"')).toBe('a = "x"');
    expect(roundTrip('a=""')).toBe('a = ""');
    expect(roundTrip(String.raw`a="q\"\\\n\t\u0001"`)).toBe(String.raw`a = "q\"\\\n\t\u0001"`);
  });

  it('decides quoting by needsQuotes', () => {
    for (const t of ['', ' ', 'a b', '"x', '(', ')', 'a)', 'f(', ')(', '12', '-3.5', '2m', '5ns', 'a\u0000']) {
      expect(needsQuotes(t), JSON.stringify(t)).toBe(true);
    }
    for (const t of ['x', 'plano(llm)', 'a=b', 'OR', 'x"', '2.1.0', '5S', "it's", '*', '(a)(b)']) {
      expect(needsQuotes(t), JSON.stringify(t)).toBe(false);
    }
  });

  it('keeps number and duration spellings', () => {
    expect(roundTrip('a=1e3 AND b=007 AND c>-0.50')).toBe('a = 1e3 AND b = 007 AND c > -0.50');
  });

  it('serializes keyword keys so that they read back as keys', () => {
    expect(roundTrip('not=1 AND or=x')).toBe('not = 1 AND or = x');
    expect(stripLoc(parseWhere('not = 1 AND or = x').ast)).toEqual(stripLoc(parseWhere('not=1 AND or=x').ast));
  });

  it('repairs literals whose text does not spell their value', () => {
    const e: WhereExpr = {
      type: 'and',
      loc: L,
      left: {
        type: 'compare',
        op: '>',
        field: { kind: 'intrinsic', name: 'duration', loc: L },
        value: { kind: 'duration', nanos: 90e9, text: '', loc: L },
        loc: L,
      },
      right: { type: 'compare', op: '=', field: { kind: 'attribute', key: 'n', loc: L }, value: { kind: 'number', value: 2.5, text: 'x', loc: L }, loc: L },
    };
    expect(serializeWhere(e)).toBe('duration > 1.5m AND n = 2.5');
  });

  it('returns an empty string for no filter', () => {
    expect(serializeWhere(null)).toBe('');
  });

  it('rejects ASTs the grammar cannot express', () => {
    const attrCmp = (key: string): WhereExpr => ({
      type: 'compare',
      op: '=',
      field: { kind: 'attribute', key, loc: L },
      value: { kind: 'string', text: 'x', quoted: false, loc: L },
      loc: L,
    });
    expect(() => serializeWhere(attrCmp('has space'))).toThrow(/cannot serialize attribute key/);
    expect(() => serializeWhere(attrCmp('service'))).toThrow(/intrinsic/);
    expect(() => serializeWhere({ type: 'exists', negated: false, field: { kind: 'attribute', key: 'NOT', loc: L }, loc: L })).toThrow(/keyword/);
  });
});

// ---------------------------------------------------------------------------
// Property tests

const KEY_CHARS = 'abcxyzAZ019_.:-'.split('');
const KEYWORDS = new Set(['and', 'or', 'not', 'exists']);
const INTRINSIC_SET = new Set<string>(INTRINSICS);

const attributeKey = (forExists: boolean) =>
  fc
    .oneof(
      fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 1, maxLength: 8 }),
      fc.constantFrom('llm.model', 'user.id', 'http.status_code', 'gen_ai.usage.input_tokens', 'not', 'AND', 'Or', 'exists'),
    )
    .filter((k) => !INTRINSIC_SET.has(k) && !(forExists && KEYWORDS.has(k.toLowerCase())));

const fieldArb = (forExists: boolean): fc.Arbitrary<FieldRef> =>
  fc.oneof(
    fc.constantFrom(...INTRINSICS).map((name): FieldRef => ({ kind: 'intrinsic', name, loc: L })),
    attributeKey(forExists).map((key): FieldRef => ({ kind: 'attribute', key, loc: L })),
  );

const INTERESTING = [
  'plano(llm)',
  'a=b',
  'OR',
  'AND',
  'NOT',
  'exists',
  '*',
  '?x*',
  '(',
  ')',
  '"',
  '\\',
  '',
  ' ',
  '500',
  '2m',
  '2.1.0',
  "x' OR 1=1 --",
  'f(g(h))',
  ')(',
  'é',
  '\u2028',
  '\u0001',
  'a\nb',
  '😀',
];

/** What a value can hold: the parser refuses U+0000 and unpaired surrogates (no stored value has them). */
const parsable = (t: string) => !/\u0000/.test(t) && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(t);

const stringText = fc.oneof(
  fc.constantFrom(...INTERESTING),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }).filter(parsable),
  fc.string({ unit: fc.constantFrom('a', '(', ')', '"', '\\', ' ', '=', '1', '.', 'm', 's', '-'), maxLength: 8 }),
);

const stringLit: fc.Arbitrary<Literal> = fc
  .tuple(stringText, fc.boolean())
  // An unquoted string must be writable unquoted to come back unquoted.
  .map(([text, q]): Literal => ({ kind: 'string', text, quoted: q || needsQuotes(text), loc: L }));

const numberLit: fc.Arbitrary<Literal> = fc
  .stringMatching(/^-?\d{1,6}(\.\d{1,3})?([eE][+-]?\d{1,2})?$/)
  .map((text): Literal => ({ kind: 'number', value: Number(text), text, loc: L }));

const durationLit: fc.Arbitrary<Literal> = fc
  .tuple(fc.stringMatching(/^\d{1,4}(\.\d{1,3})?$/), fc.constantFrom('ns', 'us', 'ms', 's', 'm', 'h', 'd'))
  .map(([n, unit]): Literal => {
    const factor = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9 }[unit];
    return { kind: 'duration', nanos: Math.round(Number(n) * factor), text: n + unit, loc: L };
  });

const compareArb: fc.Arbitrary<WhereExpr> = fc.oneof(
  fc
    .tuple(fieldArb(false), fc.constantFrom<CompareOp>('=', '!=', '~', '!~'), fc.oneof(stringLit, numberLit, durationLit))
    .map(([field, op, value]): WhereExpr => ({ type: 'compare', field, op, value, loc: L })),
  fc
    .tuple(fieldArb(false), fc.constantFrom<CompareOp>('>', '>=', '<', '<='), fc.oneof(numberLit, durationLit))
    .map(([field, op, value]): WhereExpr => ({ type: 'compare', field, op, value, loc: L })),
);

const existsArb: fc.Arbitrary<WhereExpr> = fc
  .tuple(fieldArb(true), fc.boolean())
  .map(([field, negated]): WhereExpr => ({ type: 'exists', field, negated, loc: L }));

const { expr: exprArb } = fc.letrec<{ expr: WhereExpr }>((tie) => ({
  expr: fc.oneof(
    { maxDepth: 6, depthIdentifier: 'expr' },
    compareArb,
    existsArb,
    tie('expr').map((operand): WhereExpr => ({ type: 'not', operand, loc: L })),
    fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), tie('expr'), tie('expr')).map(([type, left, right]): WhereExpr => ({ type, left, right, loc: L })),
  ),
}));

describe('serializer properties', () => {
  it('parse(serialize(ast)) equals ast ignoring locations', () => {
    fc.assert(
      fc.property(exprArb, (ast) => {
        const text = serializeWhere(ast);
        const r = parseWhere(text);
        expect(r.diagnostics).toEqual([]);
        expect(stripLoc(r.ast)).toEqual(stripLoc(ast));
      }),
      { numRuns: 1500 },
    );
  });

  it('serialization is canonical: serializing the re-parsed AST gives the same text', () => {
    fc.assert(
      fc.property(exprArb, (ast) => {
        const text = serializeWhere(ast);
        expect(serializeWhere(parseWhere(text).ast)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('anything the parser accepts survives serialize → parse (unwritable unquoted strings become quoted)', () => {
    const token = fc.constantFrom(
      'a',
      'b.c',
      'service',
      'duration',
      'x-y',
      ' ',
      ' ',
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
      'AND',
      'or',
      'NOT',
      'exists',
      '1',
      '-2.5',
      '250ms',
      '"q"',
      '"a b"',
      'plano(llm)',
      '*',
      "'",
      '"\\n"',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 14 }), (tokens) => {
        const text = tokens.join('');
        const first = parseWhere(text);
        if (first.ast === null) return;
        const again = parseWhere(serializeWhere(first.ast));
        expect(again.diagnostics).toEqual([]);
        expect(canonical(again.ast)).toEqual(canonical(first.ast));
      }),
      { numRuns: 3000 },
    );
  });
});
