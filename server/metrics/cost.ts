/**
 * Adds computed cost to a metrics response: db/queries/cost.ts prices the requests
 * that carry tokens but no reported cost (at query time, with the price book in force) —
 * from the rollups' token sums when the metrics came from the rollups (db/queries/cost-rollup.ts),
 * and every cell — totals, groups, series points — gets its reported, computed and
 * known cost, its source, and its count of requests without a price.
 */
import type { Db } from '../../db/client';
import { type CostRow, costRows } from '../../db/queries/cost';
import { rollupCostRows } from '../../db/queries/cost-rollup';
import { groupColumn } from '../../db/queries/metrics';
import type { BucketGrid } from '../../lib/metrics/bucket';
import type { CostInfo, MetricValues, MetricsResponse } from '../../lib/metrics/types';
import { breakdownSource, knownUsd, unpricedNote } from '../../lib/pricing/label';
import type { Pricing } from '../pricing';
import type { MetricsInput } from './input';

type CellCost = { computed: number | null; est: number | null; unpriced: number };

const add = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : a + b);

/** Rows per (rank, bucket) summed over models. */
function byCell(rows: readonly CostRow[]): Map<string, CellCost> {
  const cells = new Map<string, CellCost>();
  for (const r of rows) {
    const key = `${r.rank}/${r.b ?? ''}`;
    const c = cells.get(key) ?? { computed: null, est: null, unpriced: 0 };
    c.computed = add(c.computed, r.computed);
    c.est = add(c.est, r.estComputed);
    c.unpriced += r.unpriced;
    cells.set(key, c);
  }
  return cells;
}

/** One cell's cost fields: the reported sum the aggregation found, plus what was computed. */
function applyCell(v: MetricValues, cell: CellCost | undefined): void {
  const reported = v.costUsd ?? null;
  const computed = cell?.computed ?? null;
  v.reportedCostUsd = reported;
  v.computedCostUsd = computed;
  v.unpricedRequests = cell?.unpriced ?? 0;
  v.costUsd = knownUsd({ reportedUsd: reported, computedUsd: computed });
  v.costSource = breakdownSource({ reportedUsd: reported, computedUsd: computed, unpricedRequests: v.unpricedRequests });
  if (cell?.est != null) v.estimated.costUsd = (v.estimated.costUsd ?? 0) + cell.est;
}

function applySeries(series: MetricValues[] | undefined, cells: Map<string, CellCost>, rank: number): void {
  series?.forEach((point, b) => applyCell(point, cells.get(`${rank}/${b}`)));
}

/**
 * Fills the cost fields of `response` (which computed the `cost` metric). Groups keyed by
 * a span lookup (no trace column) get their computed cost in the totals only.
 */
export async function addComputedCost(
  db: Pick<Db, 'rows'>,
  response: MetricsResponse,
  q: {
    input: MetricsInput;
    grid: BucketGrid;
    tenantKey: string;
    modelKeys: readonly string[];
    /** The tenant the rollup path kept (null: all), when the metrics were answered from the rollups. */
    rollupTenant?: string | null;
  },
  prices: Pricing,
): Promise<void> {
  const { input } = q;
  const column = input.groupBy ? groupColumn(input.groupBy, q.tenantKey, q.modelKeys) : null;
  const ranked = response.groups.filter((g) => !g.other);
  const common = {
    fromNs: input.range.fromNs,
    toNs: input.range.toNs,
    keys: ranked.map((g) => g.key),
    grid: input.series ? q.grid : null,
    bucketMs: input.bucket.ms,
  };
  // A chart answered from the rollups prices their token sums; otherwise (or if they cannot answer) the traces.
  const fromRollups =
    response.source === 'rollup' && q.rollupTenant !== undefined
      ? await rollupCostRows(db, { ...common, groupBy: input.groupBy, tenantKey: q.tenantKey, tenantId: q.rollupTenant }, prices.book)
      : null;
  const rows = fromRollups ?? (await costRows(db, { ...common, filter: input.filter.sql, group: column?.expr ?? null }, prices.book));
  const cells = byCell(rows);
  applyCell(response.totals, cells.get('0/'));
  applySeries(response.series, cells, 0);
  if (column) {
    ranked.forEach((g, i) => {
      applyCell(g.totals, cells.get(`${i + 1}/`));
      applySeries(g.series, cells, i + 1);
    });
    for (const g of response.groups.filter((x) => x.other)) {
      applyCell(g.totals, cells.get(`${ranked.length + 1}/`));
      applySeries(g.series, cells, ranked.length + 1);
    }
  } else {
    for (const g of response.groups) applyCell(g.totals, undefined);
  }
  const unpriced = rows
    .filter((r) => r.rank === 0 && r.b === null && r.unpriced > 0)
    .map((r) => ({ model: r.model, requests: r.unpriced }))
    .sort((a, b) => b.requests - a.requests);
  const total = response.totals.unpricedRequests ?? 0;
  const info: CostInfo = {
    pricedAt: 'query',
    unpricedRequests: total,
    unpriced,
    note: unpricedNote(unpriced, total),
    pricesFile: prices.file,
    pricesError: prices.error,
  };
  response.cost = info;
}
