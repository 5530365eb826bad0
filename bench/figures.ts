/**
 * The figures every benchmark reports, with the targets of the performance issues
 * (#6, then #13's storage engine v2) beside them, and the one-line SUMMARY / final
 * table formats. A verdict is printed, never asserted: timings on a shared machine
 * are evidence, not test results.
 */
import { fmt } from './support';
import type { DbKind } from './options';

export type Target = { text: string; met: (value: number) => boolean };
export type Figure = {
  name: string;
  value: number;
  unit: string;
  target?: Target;
  /** Printed instead of the value when there is none to give (e.g. "n/a (embedded)"); no verdict then. */
  text?: string;
  /** Context printed after the verdict (e.g. the raw COPY rate an ingest figure is set against). */
  detail?: string;
};

const atLeast = (n: number, text: string): Target => ({ text: `≥ ${text}`, met: (v) => v >= n });
const atMost = (n: number, text: string): Target => ({ text: `≤ ${text}`, met: (v) => v <= n });

/** Issue #13's targets (and #6's where #13 names none). Where a target names a scale, the figure is judged against the nearest one. */
export const TARGETS = {
  ingestRate: (db: DbKind) => (db === 'pglite' ? atLeast(10_000, '10,000 spans/s (PGlite)') : atLeast(25_000, '25,000 spans/s')),
  copyRatio: atLeast(0.6, '0.6x raw COPY'),
  requestP99: atMost(250, '250 ms'),
  /** Every table of the bench schema (spans, traces, rollups, catalog, …), partitions, indexes and TOAST included. */
  diskPerSpan: atMost(400, '400 B'),
  serverRss: (db: DbKind) => (db === 'pglite' ? atMost(1500, '1.5 GB (PGlite)') : atMost(400, '400 MB (Postgres)')),
  where3: (spans: number) => (spans > 3_000_000 ? atMost(100, '100 ms @10M') : atMost(25, '25 ms @1M')),
  slowestWhere: atMost(100, '100 ms'),
  tenantChart7d: atMost(100, '100 ms'),
  allTenantChart7d: atMost(150, '150 ms @10M'),
  tenantPage7d: atMost(500, '500 ms'),
  /** Issue #15: `| by(llm.model) p95(duration)` over 7 days at 1M spans (GET /api/query). */
  queryPipeline7d: atMost(300, '300 ms @1M'),
  /** Issue #15: latency / TTFT heatmaps and their "what's different" ranking (GET /api/heatmap, /differences). */
  heatmap: atMost(1000, '1 s @1M'),
  bigTrace: atMost(300, '300 ms'),
  /** Acknowledged span → findable by `where` in the list API, read through another server process. */
  freshnessP99: atMost(2000, '2 s at 20k spans/s'),
};

function valueText(f: Figure): string {
  if (f.text !== undefined) return f.text;
  const digits = Number.isInteger(f.value) || f.value >= 100 ? 0 : f.value < 10 ? 2 : 1;
  return `${fmt(f.value, digits)} ${f.unit}`.trim();
}

/** `SUMMARY <bench>: name value; name value; …` — one line a run, easy to grep from logs. */
export function summaryLine(bench: string, context: string, figures: Figure[]): string {
  return `SUMMARY ${bench} ${context}: ${figures.map((f) => `${f.name} ${valueText(f)}`).join('; ')}`;
}

export function printTable(figures: Figure[]): void {
  const verdict = (f: Figure) => (!f.target || f.text !== undefined ? '' : f.target.met(f.value) ? 'ok' : 'MISSED');
  const rows = figures.map((f) => [f.name, valueText(f), f.target?.text ?? '', verdict(f), f.detail ?? '']);
  const header = ['figure', 'value', 'target', '', ''];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...[header, ...rows].map((r) => r[c].length)));
  const line = (r: string[]) =>
    `${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3].padEnd(widths[3])}  ${r[4]}`.trimEnd();
  console.log(line(header));
  console.log('-'.repeat(widths.reduce((a, b) => a + b + 2, 0)));
  for (const r of rows) console.log(line(r));
}
