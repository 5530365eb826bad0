/**
 * Hostile `where` input: huge and deeply nested filters, SQL-looking text,
 * quotes, backslashes, NUL and unpaired surrogates. parseWhere never throws, and
 * whatever it accepts compiles either to a diagnostic or to SQL whose text holds
 * no user literal: every value (and key) travels as a bound parameter.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CONDITIONS, MAX_FILTER_LENGTH, MAX_NESTING_DEPTH, parseWhere, parseWhereList, serializeWhere } from '../../../lib/where';
import type { CompareOp, FieldRef, Literal, WhereDiagnostic, WhereExpr } from '../../../lib/where';
import { compileSpanFilter, compileTraceFilter } from '../../../lib/where/sql-compiler';

const dialect = new PgDialect();

/** Marks user text: it must never show up in the SQL text. */
const MARK = 'QZJX';

const HOSTILE = [
  `'; DROP TABLE spans; --`,
  `' OR '1'='1`,
  `"; DELETE FROM traces; --`,
  `'||pg_sleep(10)||'`,
  `$$ OR true $$`,
  `$1`,
  `\\`,
  `\\'`,
  `\\\\"`,
  `E'\\x27'`,
  `*/ SELECT 1 /*`,
  `::text`,
  `%_*?`,
  `\u0000`,
  `\ud800`,
  `\udc00x`,
  `😀`,
  `\u2028`,
  `}]}'::jsonb @> '{`,
];
/** Words the compiler's own SQL never contains; if one shows up, user text leaked. */
const LEAK = /DROP|DELETE|pg_sleep|SELECT 1 \/\*|\$\$|;|QZJX/i;

function render(sql: Parameters<PgDialect['sqlToQuery']>[0]) {
  return dialect.sqlToQuery(sql);
}

function checkDiagnostic(d: WhereDiagnostic, text: string): void {
  expect(d.column).toBeGreaterThanOrEqual(1);
  expect(d.column).toBeLessThanOrEqual(text.length + 1);
  expect(d.length).toBeGreaterThanOrEqual(1);
  expect(d.message).toMatch(/ at column \d+$/);
}

/** Compiles both ways; each either fails with a diagnostic or renders SQL with no user text in it. */
function checkCompiles(ast: WhereExpr, text?: string): void {
  for (const compile of [compileTraceFilter, compileSpanFilter]) {
    const out = compile(ast, { tenantKey: 'tenant.id' });
    if (!out.ok) {
      if (text !== undefined) checkDiagnostic(out.error, text);
      continue;
    }
    const query = render(out.sql);
    expect(query.sql).not.toMatch(LEAK);
    // Placeholders are numbered 1..n and match the parameters one to one.
    const numbers = [...query.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(new Set(numbers).size).toBe(query.params.length);
    expect(numbers.reduce((a, b) => Math.max(a, b), 0)).toBe(query.params.length);
  }
}

const BITS = [
  'a',
  'b.c',
  'name',
  'service',
  'tenant.id',
  'trace_id',
  'kind',
  'status',
  'duration',
  'trace.duration',
  'http.status_code',
  ' ',
  '  ',
  '\t',
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
  '1e400',
  '250ms',
  '"',
  '\\',
  '\\u0000',
  '\\ud800',
  '\\ud83d\\ude00',
  "'",
  '--',
  ';',
  'DROP',
  'TABLE',
  MARK,
  `"${MARK}`,
  `${MARK}"`,
  ...HOSTILE,
];

describe('parse never throws on hostile input', () => {
  it('grammar fragments mixed with SQL-looking and binary text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...BITS), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 40 }), (bits) => {
        const text = bits.join('');
        const r = parseWhere(text);
        for (const d of r.diagnostics) checkDiagnostic(d, text);
        if (r.ast) checkCompiles(r.ast, text);
      }),
      { numRuns: 3000 },
    );
  });

  it('key = <hostile value>, quoted or not, in any position of a filter', () => {
    const hostile = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 12 }));
    fc.assert(
      fc.property(
        fc.constantFrom('name', 'service', 'tenant.id', 'user.id', 'x.y', 'trace_id', 'span_id', 'kind'),
        fc.constantFrom('=', '!=', '~', '!~'),
        hostile,
        fc.boolean(),
        fc.constantFrom('', 'a=1 ', 'NOT (b exists) AND ', 'duration>1s OR '),
        (key, op, value, quote, prefix) => {
          const escaped = value.replace(/[\\"]/g, (c) => `\\${c}`);
          const text = `${prefix}${key}${op}${quote ? `"${MARK}${escaped}"` : MARK + value}`;
          const r = parseWhere(text);
          for (const d of r.diagnostics) checkDiagnostic(d, text);
          if (r.ast) checkCompiles(r.ast, text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('100 KB filters and 10,000 levels of nesting: a diagnostic, no stack overflow', () => {
    const cases = [
      'a=' + 'x'.repeat(100 * 1024),
      '('.repeat(10_000) + 'a=1' + ')'.repeat(10_000),
      '('.repeat(100_000),
      'NOT '.repeat(10_000) + 'a=1',
      'a=1 AND '.repeat(15_000) + 'a=1',
      `name="${'\\"'.repeat(60_000)}"`,
      '"'.repeat(100 * 1024),
      '\\'.repeat(100 * 1024),
      '\u0000'.repeat(100 * 1024),
    ];
    for (const text of cases) {
      const r = parseWhere(text);
      expect(r.ast).toBeNull();
      expect(r.diagnostics).toHaveLength(1);
      expect(r.diagnostics[0].message).toBe(
        `filter is too long (${text.length} characters; the limit is ${MAX_FILTER_LENGTH}) at column ${MAX_FILTER_LENGTH + 1}`,
      );
    }
  });

  it('nesting within the length limit stops at MAX_NESTING_DEPTH with a diagnostic', () => {
    for (const [open, close] of [
      ['(', ')'],
      ['NOT ', ''],
      ['NOT (', ')'],
      ['(NOT ', ')'],
    ]) {
      const n = Math.floor((MAX_FILTER_LENGTH - 3) / (open.length + close.length));
      const text = open.repeat(n) + 'a=1' + close.repeat(n);
      const r = parseWhere(text);
      expect(r.ast).toBeNull();
      expect(r.diagnostics[0].message).toMatch(new RegExp(`^nesting deeper than ${MAX_NESTING_DEPTH} levels at column \\d+$`));
    }
  });

  it('the deepest trees the limits allow compile without overflowing the stack', () => {
    const longChain = 'a=1 '.repeat(1023) + 'a=1';
    const nested = '('.repeat(MAX_NESTING_DEPTH) + 'a=1' + ')'.repeat(MAX_NESTING_DEPTH);
    for (const text of [longChain, 'a=1 OR '.repeat(584) + 'a=1', nested]) {
      const r = parseWhere(text);
      expect(r.diagnostics).toEqual([]);
      checkCompiles(r.ast!, text);
    }
    // 32 filters of 1000+ conditions each would need more parameters than a query may have.
    const list = parseWhereList(Array.from({ length: 32 }, () => longChain));
    expect(list.ast).toBeNull();
    expect(list.diagnostics).toEqual([
      { message: `the filters have more than ${MAX_CONDITIONS} conditions together at column 1`, column: 1, length: 1, filterIndex: 1 },
    ]);
    // (One filter cannot get there: MAX_FILTER_LENGTH holds at most 1024 conditions, `a=1 ` each.)
    const both = parseWhereList(['a=1 '.repeat(MAX_CONDITIONS / 2 - 1) + 'a=1', '  ' + 'b=2 '.repeat(MAX_CONDITIONS / 2 - 1) + 'b=2']);
    expect(both.diagnostics).toEqual([]);
    checkCompiles(both.ast!);
  });

  it('NUL and unpaired surrogates are refused with their column, raw or escaped', () => {
    const cases: [string, number, RegExp][] = [
      ['name=a\u0000b', 7, /^NUL character \(U\+0000\) is not allowed/],
      ['a=1 name="a\\u0000b"', 12, /^NUL character '\\u0000' is not allowed in a value/],
      ['a=1 name="\\ud800"', 11, /^unpaired surrogate '\\ud800' is not allowed in a value/],
      ['a=1 name="x\\uDC00"', 12, /^unpaired surrogate '\\uDC00'/],
      ['a=1 name="\\ud800\\u0041"', 11, /^unpaired surrogate/],
      ['a=1 b=x\ud800', 8, /^unpaired surrogate U\+D800 is not allowed/],
      ['a=1 b=\udc00\ud800', 7, /^unpaired surrogate U\+DC00/],
      ['a=1 b="\ud800"', 8, /^unpaired surrogate U\+D800/],
    ];
    for (const [text, column, message] of cases) {
      const r = parseWhere(text);
      expect(r.ast, JSON.stringify(text)).toBeNull();
      expect(r.diagnostics[0].column, JSON.stringify(text)).toBe(column);
      expect(r.diagnostics[0].message).toMatch(message);
    }
    // The serializer still writes such a value (as an escape); the parser refuses it.
    const nul: WhereExpr = {
      type: 'compare',
      field: { kind: 'intrinsic', name: 'name', loc: L },
      op: '=',
      value: { kind: 'string', text: 'a\u0000', quoted: true, loc: L },
      loc: L,
    };
    expect(serializeWhere(nul)).toBe('name = "a\\u0000"');
    // (Alone, `name = "a\u0000"` has one `=` and falls back to planoai's plain-text value.)
    expect(parseWhere(`x exists AND ${serializeWhere(nul)}`).diagnostics[0].message).toMatch(/^NUL character/);
    // A pair is one character, escaped or raw.
    for (const text of ['a=1 name="\\ud83d\\ude00"', 'a=1 name=😀', 'a=1 name="😀"']) {
      const r = parseWhere(text);
      expect(r.diagnostics, text).toEqual([]);
      expect(JSON.stringify(r.ast)).toContain('😀');
    }
  });
});

// ---------------------------------------------------------------------------
// The compiler on ASTs no parser would produce: any key, any value text.

const L = { start: 0, end: 0 };
const hostileText = fc
  .tuple(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 10 })), fc.boolean())
  .map(([s, front]) => (front ? MARK + s : s + MARK));
const field: fc.Arbitrary<FieldRef> = fc.oneof(
  fc
    .constantFrom('trace_id', 'span_id', 'name', 'service', 'kind', 'status', 'duration', 'trace.duration')
    .map((name): FieldRef => ({ kind: 'intrinsic', name: name as 'name', loc: L })),
  fc.constantFrom('tenant.id', 'user.id', 'session.id', 'http.status_code').map((key): FieldRef => ({ kind: 'attribute', key, loc: L })),
  hostileText.map((key): FieldRef => ({ kind: 'attribute', key, loc: L })),
);
const literal: fc.Arbitrary<Literal> = fc.oneof(
  hostileText.map((text): Literal => ({ kind: 'string', text, quoted: true, loc: L })),
  fc.double().map((value): Literal => ({ kind: 'number', value, text: String(value), loc: L })),
  fc.double({ min: 0 }).map((nanos): Literal => ({ kind: 'duration', nanos, text: `${nanos}ns`, loc: L })),
);
const leaf: fc.Arbitrary<WhereExpr> = fc.oneof(
  fc
    .tuple(field, fc.constantFrom<CompareOp>('=', '!=', '>', '>=', '<', '<=', '~', '!~'), literal)
    .map(([f, op, value]): WhereExpr => ({ type: 'compare', field: f, op, value, loc: L })),
  fc.tuple(field, fc.boolean()).map(([f, negated]): WhereExpr => ({ type: 'exists', field: f, negated, loc: L })),
);
const { tree } = fc.letrec<{ tree: WhereExpr }>((tie) => ({
  tree: fc.oneof(
    { maxDepth: 4, depthIdentifier: 't' },
    leaf,
    tie('tree').map((operand): WhereExpr => ({ type: 'not', operand, loc: L })),
    fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), tie('tree'), tie('tree')).map(([type, left, right]): WhereExpr => ({ type, left, right, loc: L })),
  ),
}));

describe('compiled SQL carries user text only in parameters', () => {
  it('any key and value text, on every field and operator', () => {
    fc.assert(
      fc.property(tree, (ast) => {
        checkCompiles(ast);
      }),
      { numRuns: 3000 },
    );
  });

  it('a hostile value arrives in the parameters exactly (or as JSON / LIKE pattern of itself)', () => {
    for (const value of HOSTILE) {
      const text = MARK + value;
      for (const [f, op] of [
        [{ kind: 'intrinsic', name: 'name', loc: L }, '='],
        [{ kind: 'attribute', key: 'x.y', loc: L }, '='],
        [{ kind: 'attribute', key: 'x.y', loc: L }, '!='],
        [{ kind: 'attribute', key: 'tenant.id', loc: L }, '='],
        [{ kind: 'attribute', key: 'x.y', loc: L }, '~'],
      ] as [FieldRef, CompareOp][]) {
        const ast: WhereExpr = { type: 'compare', field: f, op, value: { kind: 'string', text, quoted: true, loc: L }, loc: L };
        for (const compile of [compileTraceFilter, compileSpanFilter]) {
          const out = compile(ast, { tenantKey: 'tenant.id' });
          expect(out.ok).toBe(true);
          if (!out.ok) continue;
          const q = render(out.sql);
          expect(q.sql).not.toMatch(LEAK);
          const carried = q.params.some((p) => typeof p === 'string' && (p === text || p.includes(JSON.stringify(text).slice(1, -1)) || p.includes(MARK)));
          expect(carried, `${op} ${JSON.stringify(text)}`).toBe(true);
        }
      }
    }
  });
});
