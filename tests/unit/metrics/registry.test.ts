/**
 * The metric registry (lib/metrics/registry.ts): well-formed entries, SQL that reads
 * only columns `traces` has, rollup columns that `trace_rollups` has (so the registry
 * and db/schema.ts cannot drift apart), and dashboard specs that name real fields.
 */
import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { namesUnrolledMetric } from '../../../db/queries/rollup-scope';
import { measuresFor } from '../../../db/queries/metric-sql';
import { storedColumns } from '../../../db/rollups';
import { UNCOSTED_COLUMNS } from '../../../db/rollup-cost';
import { traceRollups, traces } from '../../../db/schema';
import { UNITS } from '../../../lib/metrics/metric-spec';
import { CELL_MEASURES, METRICS, METRIC_NAMES, type Measure, fieldInfo, isRolledUp, measureFields } from '../../../lib/metrics/registry';

const allMeasures: Measure[] = [...CELL_MEASURES, ...METRICS.flatMap((m) => m.measures)];
const sqlOf = (m: Measure): string | undefined => (m.aggregate.kind === 'count' ? m.aggregate.where : m.aggregate.of);
const dbColumns = (table: Parameters<typeof getTableColumns>[0]) => new Set(Object.values(getTableColumns(table)).map((c) => c.name));
const duplicates = (items: string[]) => items.filter((x, i) => items.indexOf(x) !== i);

describe('metric registry entries', () => {
  it('have unique names, in the order METRIC_NAMES lists, with requests and cached-input requests among them', () => {
    expect(duplicates(METRICS.map((m) => m.name))).toEqual([]);
    expect(METRIC_NAMES).toEqual(METRICS.map((m) => m.name));
    expect(METRIC_NAMES).toEqual(expect.arrayContaining(['requests', 'cached', 'errors', 'latency', 'ttft', 'tokens', 'cost', 'users', 'sessions']));
  });

  it('each has a label, a known unit, a description and at least one measure', () => {
    for (const m of METRICS) {
      expect(m.label, m.name).not.toBe('');
      expect(UNITS, m.name).toContain(m.unit);
      expect(m.description.length, m.name).toBeGreaterThan(10);
      expect(m.measures.length, m.name).toBeGreaterThan(0);
    }
  });

  it('every measure but the plain request count has SQL, reading only columns of `traces t`', () => {
    const columns = dbColumns(traces);
    for (const m of allMeasures) {
      const text = sqlOf(m);
      if (m.column === 'requests') {
        expect(text).toBeUndefined();
        continue;
      }
      expect(text?.trim(), m.column).toBeTruthy();
      const read = [...(text ?? '').matchAll(/\bt\.([a-z_]+)/g)].map((x) => x[1]);
      expect(read.length, `${m.column} reads a traces column`).toBeGreaterThan(0);
      for (const c of read) expect(columns, `${m.column} reads t.${c}`).toContain(c);
    }
  });

  it('aggregate columns, value fields and estimate fields are unique', () => {
    const columns = allMeasures.flatMap((m) => [m.column, ...(m.estimate ? [`est_${m.column}`] : [])]);
    expect(duplicates(columns)).toEqual([]);
    expect(duplicates(allMeasures.flatMap(measureFields))).toEqual([]);
    expect(duplicates(allMeasures.flatMap((m) => (m.estimate ? [m.estimate] : [])))).toEqual([]);
  });

  it('estimates and rates belong to counts and sums; percentiles name their points', () => {
    for (const m of allMeasures) {
      const kind = m.aggregate.kind;
      if (m.estimate) expect(['count', 'sum'], m.column).toContain(kind);
      if (m.rate) expect(kind, m.column).toBe('count');
      if (m.term) expect(kind, m.column).toBe('count');
      if (kind === 'percentiles') expect(m.aggregate.kind === 'percentiles' && m.aggregate.points.length, m.column).toBeGreaterThan(0);
    }
  });
});

describe('rollups', () => {
  it('the stored columns are exactly the measure columns of trace_rollups in db/schema.ts, with the uncosted token sums', () => {
    const keys = ['granule_ms', 'bucket_ns', 'dims', 'tenant_id', 'llm_model', 'user_id'];
    const table = [...dbColumns(traceRollups)].filter((c) => !keys.includes(c)).sort();
    const stored = [...storedColumns(measuresFor(new Set(METRIC_NAMES)).filter((m) => m.rollup !== undefined)), ...UNCOSTED_COLUMNS].map((c) => c.name);
    expect(duplicates(stored)).toEqual([]);
    expect([...stored].sort()).toEqual(table);
  });

  it('distinct counts are never stored (they do not add up over granules); percentiles are stored as histograms', () => {
    for (const m of allMeasures) {
      if (m.aggregate.kind === 'distinct') expect(m.rollup, m.column).toBeUndefined();
      if (m.aggregate.kind === 'percentiles' && m.rollup !== undefined) expect(typeof m.rollup, m.column).toBe('object');
    }
  });

  it('metrics without stored measures are computed on the rollup path only when named', () => {
    expect(isRolledUp('requests')).toBe(true);
    expect(isRolledUp('latency')).toBe(true);
    expect(isRolledUp('users')).toBe(false);
    expect(isRolledUp('cached')).toBe(false);
    expect(namesUnrolledMetric(['requests,cached'])).toBe(true);
    expect(namesUnrolledMetric(['sessions'])).toBe(true);
    expect(namesUnrolledMetric(['requests, cost', 'latency'])).toBe(false);
    expect(namesUnrolledMetric(['all'])).toBe(false);
    expect(namesUnrolledMetric([])).toBe(false);
  });
});

describe('dashboard specs', () => {
  const specs = METRICS.map((m) => m.dashboard);
  const tiles = specs.flatMap((d) => d.tiles ?? []);
  const charts = specs.flatMap((d) => (d.chart ? [d.chart] : []));
  const columns = specs.flatMap((d) => d.columns ?? []);

  it('name fields some measure fills, with units, and estimates some measure has', () => {
    const fields = [
      ...tiles.flatMap((t) => [...t.show, ...(t.rate ? [t.rate] : []), ...(t.details ?? []).map((d) => d.field)]),
      ...charts.flatMap((c) => (c.kind === 'bars' ? [c.field] : c.lines.map((l) => l.field))),
      ...columns.map((c) => c.field),
    ];
    for (const f of fields) expect(UNITS.concat(['ratio'] as never), f).toContain(fieldInfo(f).unit);
    const estimates = allMeasures.flatMap((m) => (m.estimate ? [m.estimate] : []));
    for (const t of tiles) if (t.estimate) expect(estimates, t.testId).toContain(t.estimate);
    for (const t of tiles) if (t.rate) expect(fieldInfo(t.rate).unit, t.testId).toBe('ratio');
    expect(() => fieldInfo('noSuchField')).toThrow(/noSuchField/);
  });

  it('charts plot counts and sums as bars and percentile points as lines', () => {
    for (const c of charts) {
      if (c.kind === 'bars') expect(['count', 'sum'], c.testId).toContain(fieldInfo(c.field).measure.aggregate.kind);
      else for (const l of c.lines) expect(fieldInfo(l.field).measure.aggregate.kind, c.testId).toBe('percentiles');
    }
  });

  it('test ids and column ids are unique; the cached-input metric has a tile and a column beside requests', () => {
    expect(duplicates([...tiles.map((t) => t.testId), ...charts.map((c) => c.testId)])).toEqual([]);
    expect(duplicates(columns.map((c) => c.id))).toEqual([]);
    expect(tiles.map((t) => t.testId).slice(0, 2)).toEqual(['summary-requests', 'summary-cached']);
    expect(columns.map((c) => c.id).slice(0, 2)).toEqual(['requests', 'cached-share']);
  });
});
