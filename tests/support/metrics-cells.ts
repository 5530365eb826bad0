/** Comparing two chart answers (GET /api/metrics) cell by cell, e.g. the rollup path against the traces path. */
import { expect } from 'vitest';
import type { MetricValues, MetricsResponse } from '../../lib/metrics/types';

/** Calls `expectSame` on every pair of cells: totals, each group's totals, each bucket, each group's buckets. */
export function expectSameCells(rolled: MetricsResponse, exact: MetricsResponse, expectSame: (r: MetricValues, e: MetricValues, label: string) => void): void {
  expectSame(rolled.totals, exact.totals, 'totals');
  rolled.groups.forEach((g, i) => expectSame(g.totals, exact.groups[i].totals, `group ${g.label}`));
  expect(rolled.series?.length).toBe(exact.series?.length);
  rolled.series?.forEach((v, i) => expectSame(v, exact.series?.[i] as MetricValues, `bucket ${i}`));
  rolled.groups.forEach((g, gi) => g.series?.forEach((v, i) => expectSame(v, exact.groups[gi].series?.[i] as MetricValues, `group ${g.label} bucket ${i}`)));
}
