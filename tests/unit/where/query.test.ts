/**
 * Aggregate queries (lib/where/pipeline.ts): parsing, canonical text, the validator's
 * messages with their columns, compatibility with the filters, and completion after `|`.
 */
import { describe, expect, it } from 'vitest';
import { checkQuery, parseQuery, parseWhere, serializeQuery, serializeWhere } from '../../../lib/where';
import { applyCompletion, completionContext } from '../../../lib/where/complete';
import { COMPLETION_AGGREGATES } from '../../../lib/where/complete-pipeline';
import { and, attr, canonical, cmp, intr, num, str, stripLoc } from './helpers';

const parsed = (text: string) => {
  const r = checkQuery(text);
  expect(r.diagnostics, text).toEqual([]);
  return r.ast!;
};

describe('parseQuery', () => {
  it.each([
    ['http.status_code>=500 | by(llm.model) count()', 'http.status_code >= 500 | by(llm.model) count()'],
    ['| by(tenant.id) count(), p95(duration)', '| by(tenant.id) count(), p95(duration)'],
    [
      'tenant.id=acme-corp | by(llm.model) p95(llm.time_to_first_token), sum(llm.usage.total_tokens)',
      'tenant.id = acme-corp | by(llm.model) p95(llm.time_to_first_token), sum(llm.usage.total_tokens)',
    ],
    ['|count()', '| count()'],
    [
      '  |  SPANS  By ( service ,name )  count_distinct( user.id ) ,p99(trace.duration)',
      '| spans by(service, name) count_distinct(user.id), p99(trace.duration)',
    ],
    ['a=x|y | count()', 'a = x|y | count()'],
    ['(a=1 OR b=2) c exists | errors(), error_rate(), rate()', '(a = 1 OR b = 2) AND c EXISTS | errors(), error_rate(), rate()'],
    ['error.message=rate limit exceeded | count()', 'error.message = "rate limit exceeded" | count()'],
    ['| spans count()', '| spans count()'],
    ['| by(spans) count()', '| by(spans) count()'],
  ])('%s → %s', (text, canonical_) => {
    const ast = parsed(text);
    expect(serializeQuery(ast)).toBe(canonical_);
    // canonical(): a planoai-fallback value comes back quoted (see serializer.ts).
    expect(canonical(parsed(canonical_) as never)).toEqual(canonical(ast as never));
  });

  it('builds the AST: filter, unit, keys and aggregates with their arguments', () => {
    const ast = parsed('tenant.id=acme | spans by(service, llm.model) count(), p95(duration)');
    expect(stripLoc(ast)).toEqual({
      filter: cmp('tenant.id', '=', str('acme')),
      pipeline: {
        unit: 'spans',
        by: [intr('service'), attr('llm.model')],
        aggregates: [
          { fn: 'count', arg: null },
          { fn: 'p95', arg: intr('duration') },
        ],
      },
    });
    expect(ast.pipeline.aggregates[1].loc).toEqual({ start: 55, end: 68 });
    expect(parsed('| count()').filter).toBeNull();
    expect(parsed('| count()').pipeline.unit).toBe('traces');
  });

  it.each([
    ['http.status_code>=500 | p42(duration)', "unknown aggregate 'p42' at column 25", 25, 3],
    ['| by() count()', 'by() needs at least one key at column 3', 3, 4],
    ['|', "expected an aggregate such as count() after '|' at column 2", 2, 1],
    ['| spans', "expected an aggregate such as count() after '| spans' at column 8", 8, 1],
    ['a=1', "expected '|' and an aggregate such as '| count()' after the filter at column 4", 4, 1],
    ['', "expected '|' and an aggregate such as '| count()' after the filter at column 1", 1, 1],
    ['| count', "expected '(' after 'count' at column 8", 8, 1],
    ['| p95(duration', "missing ')' to close 'p95(' at column 15", 15, 1],
    ['| count() count()', "expected ',' or the end of the query, not 'count' at column 11", 11, 5],
    ['| by(a b) count()', "expected ',' or ')' in by(), not 'b' at column 8", 8, 1],
    ['| by(a count()', "expected ',' or ')' in by(), not 'count' at column 8", 8, 1],
    ['(a=1 | count())', "unexpected '|' at column 6", 6, 1],
    ['a=1 OR c=2 AND | count()', "expected a field name after 'AND' at column 16", 16, 1],
    ['| count(x)', 'count() takes no argument at column 9', 9, 1],
    ['| p95()', 'p95() needs a number field, e.g. p95(duration) at column 3', 3, 5],
    ['| count_distinct()', 'count_distinct() needs a key, e.g. count_distinct(user.id) at column 3', 3, 16],
    ['| sum(service)', "sum() needs a number field, but 'service' is text at column 7", 7, 7],
    ['| avg(status)', "avg() needs a number field, but 'status' is a status at column 7", 7, 6],
    ['| by(kind) count()', "by(kind) reads spans: write '| spans …' to aggregate spans at column 6", 6, 4],
    ['| by(trace_id) count()', 'by(trace_id) would make one group per trace; use count_distinct(trace_id) at column 6', 6, 8],
    ['| by(duration) count()', "by(duration): 'duration' is a number; aggregate it instead, e.g. p95(duration) at column 6", 6, 8],
    ['| by(a, a) count()', "by() lists 'a' twice at column 9", 9, 1],
    ['| count(), count()', 'count() is listed twice at column 12', 12, 7],
    ['kind=foo | count()', "unknown span kind 'foo' (expected unspecified, internal, server, client, producer, consumer) at column 6", 6, 3],
    ['| by(a,b,c,d,e,f) count()', 'by() takes at most 5 keys at column 16', 16, 1],
  ])('%s → %s', (text, message, column, length) => {
    const r = checkQuery(text);
    expect(r.ast).toBeNull();
    expect(r.diagnostics[0]).toEqual({ message, column, length });
  });

  it('`spans` and `by` are keywords only where the pipeline starts; as keys or after it they are keys and names', () => {
    expect(parsed('spans=1 | count()').filter).not.toBeNull();
    expect(checkQuery('| count(), spans').diagnostics[0].message).toBe("unknown aggregate 'spans' at column 12");
    expect(checkQuery('| spans(x)').diagnostics[0].message).toBe("unknown aggregate 'spans' at column 3");
  });

  it('the filter means what it means today: parseWhere is unchanged, and the query filter is the same AST', () => {
    for (const text of ['a=b | c', 'x=a|b', 'error.message=rate limit | exceeded', 'http.status_code>=500 tenant.id=acme-corp', 'NOT (a=1 OR b=2)']) {
      const before = parseWhere(text);
      expect(before.diagnostics, text).toEqual([]);
      const query = parseQuery(`${serializeWhere(before.ast)} | count()`);
      expect(canonical(query.ast?.filter ?? null), text).toEqual(canonical(before.ast));
    }
    // The planoai fallback of a filter with a `|` in its value is still that filter.
    expect(stripLoc(parseWhere('a=b | c').ast)).toEqual(cmp('a', '=', str('b | c')));
    expect(stripLoc(parsed('a=1 b>2 | count()').filter)).toEqual(and(cmp('a', '=', num(1)), cmp('b', '>', num(2))));
  });

  it('never throws on non-strings and too-long text', () => {
    expect(parseQuery(undefined as unknown as string).diagnostics).toHaveLength(1);
    expect(parseQuery(`| ${'count(), '.repeat(600)}count()`).diagnostics[0].message).toMatch(/^query is too long/);
    expect(parseQuery('a=x\u0000 | count()').diagnostics[0].message).toMatch(/NUL/);
  });
});

describe('completion in queries', () => {
  const ctx = (text: string, cursor = text.length) => completionContext(text, cursor, { query: true });

  it('offers aggregates after `|`, `spans`, by(…) and a comma, and keys inside parentheses', () => {
    expect(ctx('tenant.id=acme | ')).toEqual({ kind: 'aggregate', prefix: '', head: 'unit', from: 17, to: 17 });
    expect(ctx('|')).toEqual({ kind: 'aggregate', prefix: '', head: 'unit', from: 1, to: 1 });
    expect(ctx('| spans ')).toEqual({ kind: 'aggregate', prefix: '', head: 'by', from: 8, to: 8 });
    expect(ctx('| by(llm.model) p9')).toEqual({ kind: 'aggregate', prefix: 'p9', head: 'none', from: 16, to: 18 });
    expect(ctx('| count(), ')).toEqual({ kind: 'aggregate', prefix: '', head: 'none', from: 11, to: 11 });
    expect(ctx('| by(llm.m')).toEqual({ kind: 'key', prefix: 'llm.m', from: 5, to: 10 });
    expect(ctx('| by(a, ')).toEqual({ kind: 'key', prefix: '', from: 8, to: 8 });
    expect(ctx('| count(), p95(du')).toEqual({ kind: 'key', prefix: 'du', from: 15, to: 17 });
    expect(ctx('| count() ').kind).toBe('none');
    expect(ctx('(a=1 | ').kind).toBe('none');
  });

  it('the filter before `|` completes as before; a filter box (no query option) never offers aggregates', () => {
    expect(ctx('tenant.id=ac | count()', 12)).toMatchObject({ kind: 'value', key: 'tenant.id', prefix: 'ac' });
    expect(completionContext('a=1 | ').kind).toBe('none');
  });

  it('suggestions insert with their parentheses', () => {
    expect(COMPLETION_AGGREGATES).toContain('count()');
    expect(COMPLETION_AGGREGATES).toContain('p95(');
    const c = ctx('| by(llm.model) p9');
    expect(applyCompletion('| by(llm.model) p9', c, 'p95(', { space: false })).toEqual({ text: '| by(llm.model) p95(', cursor: 20 });
  });
});
