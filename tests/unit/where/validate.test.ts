/**
 * validateWhere: the type and enum checks that used to live in the SQL compiler,
 * with the compiler's messages and columns, and the compiler agreeing with it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INTRINSICS, checkWhere, checkWhereList, parseWhere, validateWhere, validateWhereList } from '../../../lib/where';
import type { CompareOp, FieldRef, Literal, WhereExpr } from '../../../lib/where';
import { compileSpanFilter, compileTraceFilter } from '../../../lib/where/sql-compiler';
import { compileSpanWhere } from '../../../lib/trace/span-filter';

const KINDS = 'unspecified, internal, server, client, producer, consumer';

/** The diagnostics of a text that parses. */
function problems(text: string) {
  const parsed = parseWhere(text);
  expect(parsed.diagnostics).toEqual([]);
  return validateWhere(parsed.ast);
}

/** Asserts the text parses and validation refuses it with exactly this one diagnostic. */
function refuses(text: string, message: string, column: number, length: number) {
  expect(problems(text)).toEqual([{ message: `${message} at column ${column}`, column, length }]);
}

describe('validateWhere: each kind of problem, with its column and length', () => {
  it('unknown span kind and status names', () => {
    refuses('kind=foo', `unknown span kind 'foo' (expected ${KINDS})`, 6, 3);
    refuses('status=bogus', "unknown status 'bogus' (expected unset, ok, error)", 8, 5);
    refuses('a=1 AND kind != "ser ver"', `unknown span kind 'ser ver' (expected ${KINDS})`, 17, 9);
    refuses('kind=1.5', `unknown span kind '1.5' (expected ${KINDS})`, 6, 3);
    refuses('status=250ms', "unknown status '250ms' (expected unset, ok, error)", 8, 5);
  });

  it('names that only an object prototype knows are unknown too', () => {
    refuses('kind=constructor', `unknown span kind 'constructor' (expected ${KINDS})`, 6, 11);
    refuses('status=__proto__', "unknown status '__proto__' (expected unset, ok, error)", 8, 9);
  });

  it('enums take only = and !=', () => {
    refuses('status>1', 'status supports only = and !=', 8, 1);
    refuses('kind~serv*', 'span kind supports only = and !=', 6, 5);
    refuses('kind !~ "x"', 'span kind supports only = and !=', 9, 3);
  });

  it('text intrinsics refuse numeric comparisons', () => {
    refuses('name>5', "'>' compares numbers, but this field is text", 6, 1);
    refuses('service <= 10ms', "'<=' compares numbers, but this field is text", 12, 4);
    refuses('trace_id>=1', "'>=' compares numbers, but this field is text", 11, 1);
    refuses('span_id<2', "'<' compares numbers, but this field is text", 9, 1);
  });

  it('durations need a duration (or milliseconds) and refuse globs', () => {
    refuses('duration=fast', "expected a duration such as 250ms or 1.5s after '='", 10, 4);
    refuses('trace.duration != "1s"', "expected a duration such as 250ms or 1.5s after '!='", 19, 4);
    refuses('duration~1s', "'~' matches text patterns, but this field is a number", 10, 2);
    refuses('trace.duration !~ 5', "'!~' matches text patterns, but this field is a number", 19, 1);
    // Not a duration comes first: that is what the compiler said first.
    refuses('duration~fast', "expected a duration such as 250ms or 1.5s after '~'", 10, 4);
  });

  it('an attribute compared with >, >=, <, <= needs a number (ASTs the parser would not build)', () => {
    const loc = { start: 4, end: 7 };
    const ast = (text: string, op: CompareOp = '>'): WhereExpr => ({
      type: 'compare',
      field: { kind: 'attribute', key: 'a.b', loc: { start: 0, end: 3 } },
      op,
      value: { kind: 'string', text, quoted: true, loc },
      loc: { start: 0, end: 7 },
    });
    expect(validateWhere(ast('abc'))).toEqual([{ message: "expected a number after '>' at column 5", column: 5, length: 3 }]);
    expect(validateWhere(ast('', '<='))).toEqual([{ message: "expected a number after '<=' at column 5", column: 5, length: 3 }]);
    // Text that reads as a number is a number (Plano sends status codes as strings).
    expect(validateWhere(ast(' 500 '))).toEqual([]);
    expect(validateWhere(ast('abc', '='))).toEqual([]);
  });
});

describe('validateWhere: what it accepts', () => {
  it('enum names in any case, with the OTLP prefix, and integer codes', () => {
    for (const text of ['kind=server', 'kind=SPAN_KIND_CLIENT', 'kind="Internal"', 'kind!=7', 'status=ERROR', 'status=STATUS_CODE_OK', 'status!=2']) {
      expect(problems(text), text).toEqual([]);
    }
  });

  it('durations, bare milliseconds, text and attribute comparisons, exists on any field', () => {
    for (const text of [
      'duration>250ms',
      'trace.duration<=1.5s',
      'duration=100',
      'name~"POST *"',
      'trace_id=4bf92f35',
      'http.status_code>=500',
      'latency<2s',
      'a.b~x*',
      'kind exists',
      'status not exists',
      'duration exists',
    ]) {
      expect(problems(text), text).toEqual([]);
    }
    expect(validateWhere(null)).toEqual([]);
  });
});

describe('validateWhere: several problems', () => {
  it('are all reported, left to right, through AND, OR, NOT and parentheses', () => {
    const found = problems('kind=foo OR (name>1 AND NOT status=nope) duration~1s');
    expect(found.map((d) => d.column)).toEqual([6, 19, 36, 51]);
    expect(found[0].message).toMatch(/^unknown span kind 'foo'/);
    expect(found[3].message).toMatch(/^'~' matches text patterns/);
  });

  it('a long implicit AND chain is walked without recursion', () => {
    const text = Array.from({ length: 1000 }, () => 'a>1').join(' ') + ' kind=x';
    const found = problems(text);
    expect(found).toHaveLength(1);
    expect(found[0].column).toBe(text.length);
  });
});

describe('filter lists: which filter a problem is in', () => {
  it('validateWhereList names each filter by its index, columns within its own text', () => {
    const asts = ['a=1', 'kind=foo', '', 'x exists AND status>1'].map((t) => parseWhere(t).ast);
    const found = validateWhereList(asts);
    expect(found.map(({ filterIndex, column, length }) => ({ filterIndex, column, length }))).toEqual([
      { filterIndex: 1, column: 6, length: 3 },
      { filterIndex: 3, column: 21, length: 1 },
    ]);
  });

  it('checkWhereList: syntax problems come first, whichever filter they are in; else type problems', () => {
    const syntax = checkWhereList(['kind=foo', 'a>=']);
    expect(syntax.ast).toBeNull();
    expect(syntax.diagnostics).toEqual([{ message: "expected a value after '>=' at column 4", column: 4, length: 1, filterIndex: 1 }]);
    const types = checkWhereList(['a=1', 'kind=foo']);
    expect(types.ast).toBeNull();
    expect(types.diagnostics).toEqual([{ message: `unknown span kind 'foo' (expected ${KINDS}) at column 6`, column: 6, length: 3, filterIndex: 1 }]);
    const fine = checkWhereList(['a=1', 'kind=server']);
    expect(fine.diagnostics).toEqual([]);
    expect(fine.ast?.type).toBe('and');
  });

  it('checkWhere: one filter, parse then validate', () => {
    expect(checkWhere('kind=foo').ast).toBeNull();
    expect(checkWhere('kind=foo').diagnostics[0].column).toBe(6);
    expect(checkWhere('kind=').diagnostics[0].message).toBe("expected a value after '=' at column 6");
    expect(checkWhere('kind=server').ast).not.toBeNull();
    expect(checkWhere('  ')).toEqual({ ast: null, diagnostics: [] });
  });

  it('the trace page knows the failing filter directly (no recompiling one by one)', () => {
    const result = compileSpanWhere(['tenant.id=acme', ' ', 'duration~1s'], 'tenant.id');
    expect(result).toEqual({
      status: 'error',
      error: { message: "'~' matches text patterns, but this field is a number at column 10", column: 10, length: 2, filterIndex: 1, where: 'duration~1s' },
    });
    const ok = compileSpanWhere(['tenant.id=acme', 'kind=server'], 'tenant.id');
    expect(ok.status).toBe('ok');
    expect(ok.status === 'ok' && ok.where).toBe('tenant.id = acme AND kind = server');
  });
});

describe('the compiler refuses exactly what validateWhere refuses', () => {
  const L = { start: 0, end: 1 };
  const field = fc.oneof(
    fc.constantFrom(...INTRINSICS).map((name): FieldRef => ({ kind: 'intrinsic', name, loc: L })),
    fc.constantFrom('a.b', 'tenant.id', 'user.id').map((key): FieldRef => ({ kind: 'attribute', key, loc: L })),
  );
  const op = fc.constantFrom<CompareOp>('=', '!=', '>', '>=', '<', '<=', '~', '!~');
  const literal = fc.oneof(
    fc
      .constantFrom('server', 'error', 'ERROR', 'nope', '12', ' 3 ', '', 'constructor')
      .map((text): Literal => ({ kind: 'string', text, quoted: true, loc: L })),
    fc.constantFrom(0, 2, 2.5, -1).map((value): Literal => ({ kind: 'number', value, text: String(value), loc: L })),
    fc.constantFrom(1e6, 25e7).map((nanos): Literal => ({ kind: 'duration', nanos, text: `${nanos / 1e6}ms`, loc: L })),
  );
  const compare = fc.record({ field, op, value: literal }).map((c): WhereExpr => ({ type: 'compare', ...c, loc: L }));
  const expr = fc.array(compare, { minLength: 1, maxLength: 4 }).map((list) => list.reduce((left, right): WhereExpr => ({ type: 'or', left, right, loc: L })));

  it('for any comparison, at trace and at span level, with the same first diagnostic', () => {
    fc.assert(
      fc.property(expr, (ast) => {
        const [first] = validateWhere(ast);
        for (const compile of [compileTraceFilter, compileSpanFilter]) {
          const out = compile(ast, { tenantKey: 'tenant.id' });
          if (first) expect(out).toEqual({ ok: false, error: first });
          else expect(out.ok).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
