/**
 * The registry as SQL (db/queries/metric-sql.ts): which measures a request computes,
 * the SQL text of the scan and aggregates, and aggregate rows → MetricValues.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { decodeValues, measuresFor, readsWideColumn, selectList, traceInputs, tracesAggregates } from '../../../db/queries/metric-sql';
import type { AggRow } from '../../../db/queries/metrics-query';
import type { MetricName } from '../../../lib/metrics/registry';

const text = (query: Parameters<PgDialect['sqlToQuery']>[0]) => new PgDialect().sqlToQuery(query).sql;
const names = (...n: MetricName[]) => new Set<MetricName>(n);

describe('measures of a request', () => {
  it('always the request count and the cell measures, then the named metrics in registry order', () => {
    const columns = measuresFor(names('cost', 'requests', 'cached')).map((m) => m.column);
    expect(columns.slice(0, 2)).toEqual(['requests', 'first_ns']);
    expect(columns).toContain('cov_ttft');
    expect(columns.slice(-2)).toEqual(['cached_requests', 'cost_usd']);
    expect(measuresFor(names()).map((m) => m.column)).not.toContain('errors');
  });
});

describe('SQL', () => {
  const measures = measuresFor(names('requests', 'errors', 'latency', 'cached', 'users'));

  it('the scan evaluates each registry expression once, as in_<column>', () => {
    const scan = text(traceInputs(measures));
    expect(scan).toContain('(t.error_count > 0 OR t.http_status_code >= 500)) AS in_errors');
    expect(scan).toContain(`(t.attribute_set @? '$."llm.usage.cached_input_tokens"[*] ? (@.n > 0)') AS in_cached_requests`);
    expect(scan).toContain('((t.duration_ns::float8 / 1e6)) AS in_latency');
    expect(scan).not.toContain('td_hist_bin');
    expect(text(traceInputs(measures, { bins: true }))).toContain('td_hist_bin((t.duration_ns::float8 / 1e6)) AS bin_latency');
  });

  it('only an input read from the attribute set counts as wide (the scan is then materialized)', () => {
    expect(readsWideColumn(measures)).toBe(true);
    expect(readsWideColumn(measuresFor(names('requests', 'errors', 'latency', 'ttft', 'tokens', 'cost', 'users', 'sessions')))).toBe(false);
  });

  it('the aggregates read the inputs back: filtered counts with their estimates, percentiles, distinct placeholders', () => {
    const list = text(selectList(tracesAggregates(measures)));
    expect(list).toContain('count(*) AS requests');
    expect(list).toContain('sum(t.sample_weight) AS est_requests');
    expect(list).toContain('count(*) FILTER (WHERE t.in_cached_requests) AS cached_requests');
    expect(list).toContain('sum(t.sample_weight) FILTER (WHERE t.in_cached_requests) AS est_cached_requests');
    expect(list).toContain('percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (ORDER BY t.in_latency) AS latency');
    expect(list).toContain('NULL::bigint AS users');
  });
});

describe('rows → values', () => {
  const row: AggRow = {
    cell: 'all',
    b: null,
    gk: null,
    requests: '4',
    est_requests: 8,
    first_ns: '1767571200000000000',
    last_ns: 1767571200000000001n,
    cached_requests: 3n,
    est_cached_requests: '6',
    errors: null,
    est_errors: null,
    client_errors: 1,
    latency: '{10.5,20,NULL}',
    prompt_tokens: null,
    completion_tokens: '7',
    total_tokens: null,
    est_completion_tokens: 14,
    users: '2',
  };

  it('counts, their rates and estimates; sums over nothing null; percentiles from either driver form', () => {
    const v = decodeValues(row, names('requests', 'cached', 'errors', 'latency', 'tokens', 'users'));
    expect(v).toMatchObject({ requests: 4, firstNs: '1767571200000000000', lastNs: '1767571200000000001' });
    expect(v).toMatchObject({ cachedRequests: 3, cachedShare: 0.75, errors: 0, errorRate: 0, clientErrors: 1, clientErrorRate: 0.25 });
    expect(v).toMatchObject({ latencyP50Ms: 10.5, latencyP95Ms: 20, latencyP99Ms: null });
    expect(v).toMatchObject({ promptTokens: null, completionTokens: 7, totalTokens: null, users: 2 });
    expect(v.estimated).toEqual({ requests: 8, cachedRequests: 6, errors: 0, promptTokens: null, completionTokens: 14, totalTokens: null });
    expect(decodeValues({ ...row, latency: [1, 2, 3] }, names('latency'))).toMatchObject({ latencyP50Ms: 1, latencyP95Ms: 2, latencyP99Ms: 3 });
  });

  it('metrics not computed are absent; series points carry no distinct counts; an empty cell is zeros', () => {
    const v = decodeValues(row, names('requests', 'users'), true);
    expect(v).not.toHaveProperty('cachedRequests');
    expect(v).not.toHaveProperty('users');
    expect(decodeValues(undefined, names('requests', 'cached', 'cost'))).toEqual({
      requests: 0,
      firstNs: null,
      lastNs: null,
      estimated: { requests: 0, cachedRequests: 0, costUsd: null },
      cachedRequests: 0,
      cachedShare: null,
      costUsd: null,
    });
  });
});
