/**
 * Bytes on disk per stored span: every table of the benchmark schema (spans, traces,
 * rollups, the attribute catalog and anything else the schema grows), each with its
 * indexes and TOAST, partitions summed into their partitioned table, divided by the
 * spans stored. The same SQL on Postgres and on PGlite. Also the breakdown by table,
 * so it shows where the bytes go.
 */
import { type BenchSql, tableExists } from './bench-sql';
import { type Figure, TARGETS } from './figures';
import { fmt } from './support';

/**
 * Every relation with storage (tables, partitions, materialized views) under the name of its
 * partition root, or its own name; pg_total_relation_size counts its indexes and TOAST.
 * A partitioned parent has no storage of its own: its partitions carry it (wherever they live).
 */
const SIZES_SQL = `
  SELECT coalesce(root.relname, c.relname) AS table_name, sum(pg_total_relation_size(c.oid))::float8 AS bytes
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class root ON root.oid = pg_partition_root(c.oid)
  LEFT JOIN pg_namespace rn ON rn.oid = root.relnamespace
  WHERE c.relkind IN ('r', 'm') AND coalesce(rn.nspname, n.nspname) = $1
  GROUP BY 1
  ORDER BY 2 DESC, 1`;

export type TableBytes = { table: string; bytes: number };
export type DiskUsage = { spans: number; total: number; tables: TableBytes[]; groups: Record<Group, number> };

const GROUPS = ['spans', 'traces', 'rollups', 'catalog', 'other'] as const;
type Group = (typeof GROUPS)[number];

/** Which part of the store a table belongs to (by name: the schema's names are the storage engine's own). */
export function tableGroup(table: string): Group {
  // A span's resource is stored once in `resources` (db/resources.ts): still span data.
  if (table === 'spans' || table === 'resources') return 'spans';
  if (table === 'traces') return 'traces';
  if (/rollup/.test(table)) return 'rollups';
  if (/^attribute_|catalog/.test(table)) return 'catalog';
  return 'other';
}

export async function tableSizes(sql: BenchSql): Promise<TableBytes[]> {
  const rows = await sql.query<{ table_name: string; bytes: number }>(SIZES_SQL, [sql.schema]);
  return rows.map((r) => ({ table: r.table_name, bytes: Number(r.bytes) }));
}

export async function diskUsage(sql: BenchSql): Promise<DiskUsage> {
  const tables = await tableSizes(sql);
  const [{ n }] = await sql.query<{ n: number }>('SELECT count(*)::float8 AS n FROM spans');
  const groups = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<Group, number>;
  for (const t of tables) groups[tableGroup(t.table)] += t.bytes;
  return { spans: Number(n), total: tables.reduce((s, t) => s + t.bytes, 0), tables, groups };
}

/**
 * Waits (≤ 2 min) until background work has caught up: no rollup granule left dirty and no trace
 * delta left unmerged (when the schema has those queues) and the schema's size unchanged over a second. The store's summarizer
 * runs after the acknowledgement, so sizes measured earlier would miss its tables.
 */
export async function waitUntilSettled(sql: BenchSql): Promise<number> {
  const started = performance.now();
  // Work queues: chart granules to roll, and trace deltas the summarizer has not merged yet.
  const queues = [];
  for (const table of ['rollup_dirty', 'trace_deltas']) if (await tableExists(sql, table)) queues.push(`(SELECT count(*) FROM ${table})`);
  const pendingQuery = `SELECT (${queues.length ? queues.join(' + ') : '0'})::int AS dirty`;
  let last = -1;
  while (performance.now() - started < 120_000) {
    const [{ dirty }] = await sql.query<{ dirty: number }>(pendingQuery);
    const total = (await tableSizes(sql)).reduce((s, t) => s + t.bytes, 0);
    if (dirty === 0 && total === last) break;
    last = total;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return (performance.now() - started) / 1000;
}

const perSpan = (bytes: number, spans: number) => bytes / Math.max(1, spans);

export function printDiskUsage(d: DiskUsage): void {
  const share = (bytes: number) => `${fmt(perSpan(bytes, d.spans))} B/span (${((100 * bytes) / Math.max(1, d.total)).toFixed(0)}%)`;
  console.log(`[disk] ${fmt(d.total / 1e6, 1)} MB in ${d.tables.length} tables for ${fmt(d.spans)} spans = ${fmt(perSpan(d.total, d.spans))} B/span`);
  console.log(`[disk] by part: ${GROUPS.map((g) => `${g} ${share(d.groups[g])}`).join(', ')}`);
  console.log(`[disk] by table: ${d.tables.map((t) => `${t.table} ${fmt(t.bytes / 1e6, 1)} MB`).join(', ')}`);
}

export function diskFigures(d: DiskUsage): Figure[] {
  return [
    {
      name: 'disk per span (every table)',
      value: perSpan(d.total, d.spans),
      unit: 'B',
      target: TARGETS.diskPerSpan,
      detail: `${fmt(d.total / 1e6, 1)} MB / ${fmt(d.spans)} spans`,
    },
    ...GROUPS.map((g) => ({ name: `disk per span: ${g}`, value: perSpan(d.groups[g], d.spans), unit: 'B' })),
  ];
}
