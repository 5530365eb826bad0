/**
 * The rollup path of aggregate queries (./aggregate.ts): a query over requests whose
 * filter is at most one tenant, grouped by nothing, the tenant or the model, whose
 * aggregates the chart rollups store — count(), rate(), errors(), error_rate(), sums of
 * tokens and cost, percentiles, min and max of the duration and of TTFT — is answered by
 * the charts' own rollup query (./metrics-rollup.ts: the clean granules from
 * `trace_rollups`, the edges and dirty granules from `traces`, in one snapshot).
 * Counts and sums are exact; percentiles come from the summed log histograms (within one
 * √2 bucket, a few % in practice: lib/metrics/histogram.ts). Small ranges (fewer than
 * TRACEDECK_ROLLUP_MIN_TRACES requests) return null: the exact path answers them.
 */
import { bucketGrid, type BucketGrid } from '../../lib/metrics/bucket';
import { histogramPercentiles } from '../../lib/metrics/histogram';
import type { MetricName } from '../../lib/metrics/registry';
import type { AggregateCall } from '../../lib/where/query-ast';
import { fieldName, percentileOf } from '../../lib/where/query-ast';
import type { Db } from '../client';
import { ROLLUP_GRANULE_MS } from '../rollups';
import { type AggregateAnswer, type AggregateCell, type AggregateRequest, promotedColumnOf } from './aggregate-request';
import { floatArray, n0, nOrNull } from './metric-sql';
import type { AggRow } from './metrics-query';
import { rollupMetricsRows } from './metrics-rollup';

/** How one aggregate reads a rollup row: the registry metric storing it, and its value from the row. */
type RolledRead = { metric: MetricName; value: (row: AggRow) => number | null };

/** The registry's histograms (metrics latency and ttft): `<h>_hist`, `<h>_min_ms`, `<h>_max_ms`. */
function histogramRead(metric: MetricName, h: 'duration' | 'ttft', a: AggregateCall): RolledRead | null {
  const p = percentileOf(a.fn);
  if (a.fn === 'min' || a.fn === 'max') return { metric, value: (r) => nOrNull(r[`${h}_${a.fn}_ms`]) };
  if (p === null) return null;
  return {
    metric,
    value: (r) => {
      const counts = floatArray(r[`${h}_hist`]).map((c) => c ?? 0);
      return histogramPercentiles({ counts, min: nOrNull(r[`${h}_min_ms`]), max: nOrNull(r[`${h}_max_ms`]) }, [p])[0];
    },
  };
}

function rolledRead(a: AggregateCall, req: AggregateRequest): RolledRead | null {
  switch (a.fn) {
    case 'count':
    case 'rate':
      return { metric: 'requests', value: (r) => n0(r.requests) };
    case 'errors':
    case 'error_rate':
      return { metric: 'errors', value: (r) => n0(r.errors) };
    case 'count_distinct':
    case 'avg':
      return null;
    default: {
      const field = a.arg;
      if (!field) return null;
      if (field.kind === 'intrinsic') return field.name === 'duration' || field.name === 'trace.duration' ? histogramRead('latency', 'duration', a) : null;
      const column = promotedColumnOf(field.key, req.mapping);
      if (column === 'ttft_ms') return histogramRead('ttft', 'ttft', a);
      if (a.fn !== 'sum' || column === null) return null;
      return { metric: column === 'cost_usd' ? 'cost' : 'tokens', value: (r) => nOrNull(r[column]) };
    }
  }
}

/** The cells of the query from the rollups, or null when they cannot answer it. */
export async function rollupAggregateCells(
  db: Pick<Db, 'rows'>,
  req: AggregateRequest,
  grid: BucketGrid | null,
): Promise<Omit<AggregateAnswer, 'grid' | 'source'> | null> {
  const { unit, by, aggregates } = req.query.pipeline;
  if (!req.rollup || unit !== 'traces' || by.length > 1) return null;
  const groupBy = by.length === 1 ? fieldName(by[0]) : null;
  if (groupBy !== null && (by[0].kind !== 'attribute' || (groupBy !== req.tenantKey && groupBy !== 'llm.model'))) return null;
  const reads = aggregates.map((a) => rolledRead(a, req));
  if (reads.some((r) => r === null)) return null;
  const stepped = req.stepMs !== null;
  const bucketMs = req.stepMs ?? ROLLUP_GRANULE_MS;
  const rolled = await rollupMetricsRows(
    db,
    {
      filter: req.filter,
      fromNs: req.fromNs,
      toNs: req.toNs,
      bucketMs,
      groupBy,
      top: req.limit,
      metrics: new Set<MetricName>(['requests', ...reads.map((r) => r!.metric)]),
      series: stepped,
      tenantKey: req.tenantKey,
      modelKeys: req.mapping.llmModel,
      rollup: { ...req.rollup, unrolledOptional: true },
    },
    grid ?? bucketGrid(req.fromNs, req.toNs, bucketMs),
  );
  if (!rolled) return null;
  const groups: (string | null)[][] = [];
  const cells: AggregateCell[] = [];
  for (const r of rolled.rows) {
    // The charts' rows: per group (or 'all') and bucket (null: the cell's totals).
    if ((groupBy === null) !== (r.cell === 'all') || (r.b === null) === stepped) continue;
    const gid = groupBy === null ? 1 : Number(r.cell);
    if (groupBy !== null && gid <= req.limit) groups[gid - 1] = [r.gk];
    const rows = n0(r.requests);
    if (rows === 0) continue;
    cells.push({ gid, b: r.b === null ? null : Number(r.b), rows, raw: reads.map((read) => read!.value(r)) });
  }
  cells.sort((x, y) => x.gid - y.gid || (x.b ?? 0) - (y.b ?? 0));
  return { cells, groups };
}
