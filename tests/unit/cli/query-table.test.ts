import { describe, expect, it } from 'vitest';
import { renderQueryTable } from '../../../cli/query/table';
import { plainPainter } from '../../../cli/trace/style';
import type { QueryResponse } from '../../../lib/query/response';

const answer = (cost: QueryResponse['cost']): QueryResponse => ({
  query: '| by(tenant.id) sum(cost)',
  unit: 'traces',
  columns: ['tenant.id', 'sum(cost)'],
  units: ['key', 'usd'],
  rows: [['acme', 1.25]],
  otherRows: [],
  source: 'traces',
  range: { from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' },
  step: null,
  limit: 20,
  ...(cost ? { cost } : {}),
  queryMs: 3,
});

describe('tracedeck query table footer', () => {
  it('says how cost was read, and how many requests had no price', () => {
    expect(renderQueryTable(answer({ pricedAt: 'query', unpricedRequests: 3 }), plainPainter).at(-1)).toMatch(
      / · cost: reported or priced now, 3 requests without a price left out$/,
    );
    expect(renderQueryTable(answer({ pricedAt: 'query', unpricedRequests: 0 }), plainPainter).at(-1)).toMatch(/ · cost: reported or priced now$/);
    expect(renderQueryTable(answer(undefined), plainPainter).at(-1)).not.toMatch(/cost/);
  });
});
