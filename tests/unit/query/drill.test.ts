import { describe, expect, it } from 'vitest';
import { groupWhere, rowRange, rowTraceListHref } from '../../../lib/query/drill';
import type { QueryResponse } from '../../../lib/query/response';
import { fromSearchParams } from '../../../lib/filter-state';
import { checkWhere } from '../../../lib/where';

function answer(over: Partial<QueryResponse>): QueryResponse {
  return {
    query: 'http.status_code >= 500 | by(llm.model, tenant.id) count()',
    unit: 'traces',
    columns: ['llm.model', 'tenant.id', 'count()'],
    units: ['key', 'key', 'count'],
    rows: [
      ['gpt-4o', 'acme corp', 5],
      [null, 'globex', 3],
      ['other', 'other', 2],
    ],
    otherRows: [2],
    source: 'traces',
    range: { from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' },
    step: null,
    limit: 2,
    queryMs: 1,
    ...over,
  };
}

const stateOf = (href: string) => fromSearchParams(new URL(href, 'http://x').searchParams);

describe('drill-down from a query row to the trace list', () => {
  it('ANDs the query filter with one term per by key, quoting values, over the answer range', () => {
    const href = rowTraceListHref(answer({}), 0)!;
    const state = stateOf(href);
    expect(state.where).toBe('http.status_code >= 500 AND llm.model = gpt-4o AND tenant.id = "acme corp"');
    expect(state).toMatchObject({ since: null, from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' });
    expect(checkWhere(state.where).diagnostics).toEqual([]);
  });

  it('selects the (none) group with not exists, and "other" as none of the named groups', () => {
    expect(groupWhere(answer({}), 1)).toBe('llm.model NOT EXISTS AND tenant.id = globex');
    expect(groupWhere(answer({}), 2)).toBe('NOT (llm.model = gpt-4o AND tenant.id = "acme corp" OR llm.model NOT EXISTS AND tenant.id = globex)');
  });

  it('a stepped row covers its bucket, clipped to the range; without by() only the filter remains', () => {
    const stepped = answer({
      query: '| count()',
      columns: ['time', 'count()'],
      units: ['time', 'count'],
      rows: [
        ['2026-12-01T00:00:00.000Z', 1],
        ['2026-12-01T23:00:00.000Z', 4],
      ],
      otherRows: [],
      step: '1h',
      range: { from: '2026-12-01T00:00:00.000Z', to: '2026-12-01T23:30:00.000Z' },
    });
    expect(rowRange(stepped, 1)).toEqual({ from: '2026-12-01T23:00:00.000Z', to: '2026-12-01T23:30:00.000Z' });
    const state = stateOf(rowTraceListHref(stepped, 0)!);
    expect(state).toMatchObject({ where: '', from: '2026-12-01T00:00:00.000Z', to: '2026-12-01T01:00:00.000Z' });
  });

  it('gives no link for a key that cannot be written in a filter', () => {
    const bad = answer({ columns: ['llm model', 'tenant.id', 'count()'] });
    expect(rowTraceListHref(bad, 0)).toBeNull();
  });
});

describe('editing the filter of a query', () => {
  it('reads the filter alone and ANDs a term to it, keeping the pipeline', async () => {
    const { addQueryTerm, queryFilterText } = await import('../../../lib/query/edit-query');
    expect(queryFilterText('tenant.id=acme | by(llm.model) count()')).toBe('tenant.id = acme');
    expect(queryFilterText('| count()')).toBe('');
    expect(queryFilterText('| p42()')).toBeNull();
    expect(addQueryTerm('| by(llm.model) p95(duration)', 'llm.model', 'gpt-4o')).toBe('llm.model = gpt-4o | by(llm.model) p95(duration)');
    expect(addQueryTerm('a=1 OR b=2 | count()', 'error.message', 'rate limit')).toBe('(a = 1 OR b = 2) AND error.message = "rate limit" | count()');
    expect(addQueryTerm('| count()', 'bad key', 'x')).toBeNull();
  });
});
