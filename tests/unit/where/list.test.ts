import { describe, expect, it } from 'vitest';
import { MAX_FILTER_COUNT, parseWhereList, serializeWhere } from '../../../lib/where';
import { and, cmp, intr, num, or, str, stripLoc } from './helpers';

describe('parseWhereList', () => {
  it('ANDs filters in order, each one grouped as a whole', () => {
    const r = parseWhereList(['a=1 OR b=2', 'service=plano(llm)', 'c>3']);
    expect(r.diagnostics).toEqual([]);
    expect(stripLoc(r.ast)).toEqual(
      and(and(or(cmp('a', '=', num(1)), cmp('b', '=', num(2))), cmp(intr('service'), '=', str('plano(llm)'))), cmp('c', '>', num(3))),
    );
    expect(serializeWhere(r.ast)).toBe('(a = 1 OR b = 2) AND service = plano(llm) AND c > 3');
  });

  it('accepts implicit AND inside each filter', () => {
    const r = parseWhereList(['a=1 b=2', 'c=3 OR d=4']);
    expect(r.diagnostics).toEqual([]);
    expect(stripLoc(r.ast)).toEqual(and(and(cmp('a', '=', num(1)), cmp('b', '=', num(2))), or(cmp('c', '=', num(3)), cmp('d', '=', num(4)))));
    expect(serializeWhere(r.ast)).toBe('a = 1 AND b = 2 AND (c = 3 OR d = 4)');
  });

  it('applies the planoai fallback per filter', () => {
    const r = parseWhereList(['error.message=rate limit exceeded', 'llm.model=gpt-4o-mini']);
    expect(stripLoc(r.ast)).toEqual(and(cmp('error.message', '=', str('rate limit exceeded')), cmp('llm.model', '=', str('gpt-4o-mini'))));
  });

  it('skips blank filters and returns null for none', () => {
    expect(parseWhereList([])).toEqual({ ast: null, diagnostics: [] });
    expect(parseWhereList(['', '  '])).toEqual({ ast: null, diagnostics: [] });
    expect(stripLoc(parseWhereList(['', 'a=1', ' ']).ast)).toEqual(cmp('a', '=', num(1)));
  });

  it('keeps per-filter columns and tags diagnostics with their filter index', () => {
    const r = parseWhereList(['a=1', 'status_code>=', 'x>1 y', 'ok exists']);
    expect(r.ast).toBeNull();
    expect(r.diagnostics).toEqual([
      { message: "expected a value after '>=' at column 14", column: 14, length: 1, filterIndex: 1 },
      {
        message: "expected an operator (=, !=, >, >=, <, <=, ~, !~, exists) after 'y' at column 6",
        column: 6,
        length: 1,
        filterIndex: 2,
      },
    ]);
  });

  it('keeps locations relative to each filter', () => {
    const r = parseWhereList(['a=1', '  b=2']);
    const root = r.ast as { type: string; loc: unknown; right: { loc: unknown } };
    expect(root.type).toBe('and');
    expect(root.loc).toEqual({ start: 0, end: 0 });
    expect(root.right.loc).toEqual({ start: 2, end: 5 });
  });

  it('limits the number of filters', () => {
    const r = parseWhereList(Array.from({ length: MAX_FILTER_COUNT + 1 }, () => 'a=1'));
    expect(r.ast).toBeNull();
    expect(r.diagnostics).toEqual([
      {
        message: `too many filters (${MAX_FILTER_COUNT + 1}; the limit is ${MAX_FILTER_COUNT}) at column 1`,
        column: 1,
        length: 1,
        filterIndex: MAX_FILTER_COUNT,
      },
    ]);
    expect(parseWhereList(Array.from({ length: MAX_FILTER_COUNT }, () => 'a=1')).diagnostics).toEqual([]);
  });
});
