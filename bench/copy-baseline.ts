/**
 * The ingest's baseline: a raw COPY of the very rows the ingest writes (db/ingest.ts spanRows)
 * into the table it writes them to, in a freshly migrated database of the same engine: same
 * columns, same indexes, and the same partitions (copied from the loaded benchmark database,
 * because a store partitioned by day creates them as data arrives). COPY goes into the
 * partitioned parent, as an ingest statement would; nothing else runs beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createDb } from '../db/client';
import { spanRows } from '../db/ingest';
import { enrichSpan } from '../lib/enrich/enrich';
import { decodeExportRequest } from '../lib/otlp';
import { processPromotionOptions } from '../server/ingest/deps';
import { type BenchSql, openBenchSql, pgliteSql } from './bench-sql';
import type { BenchOptions } from './options';

export type Column = { name: string; type: string };

const escapeCopy = (text: string) => text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/** A Postgres array literal of scalars: `{"a","b",NULL}`. */
const arrayLiteral = (values: unknown[]) =>
  `{${values.map((v) => (v === null || v === undefined ? 'NULL' : `"${copyText(v, '').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;

/** A value as the column's text input (before COPY's own escaping). */
function copyText(v: unknown, type: string): string {
  // bytea's hex input; a hex string headed for a bytea column is taken as the bytes it spells (as decode(…, 'hex')).
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  if (type === 'bytea' && typeof v === 'string') return v.startsWith('\\x') ? v : `\\x${v}`;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (type === 'ARRAY' && Array.isArray(v)) return arrayLiteral(v);
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** One field of COPY's text format: `\N` for NULL, backslash escapes (so bytea's `\x…` travels as `\\x…`). */
export function copyField(v: unknown, type = ''): string {
  if (v === null || v === undefined) return '\\N';
  return escapeCopy(copyText(v, type));
}

/** The columns of `table`, in order, with their types (information_schema's data_type: 'bytea', 'jsonb', 'ARRAY', …). */
async function tableColumns(sql: BenchSql, table: string): Promise<Column[]> {
  const rows = await sql.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [sql.schema, table],
  );
  return rows.map((r) => ({ name: r.column_name, type: r.data_type }));
}

/**
 * The rows the ingest route writes, as COPY text in temp files of ≤64 MB (prepared outside the timed part;
 * chunks so that PGlite, which takes a COPY as one in-memory blob, never holds 10M rows at once).
 * Only the table's columns that the rows fill are copied; the others take their defaults, as on ingest.
 */
export function copyFiles(files: string[], tableColumns: Column[]): { columns: Column[]; chunks: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-copy-'));
  const chunks: string[] = [];
  let columns: Column[] | null = null;
  let fd = -1;
  let written = 0;
  const promotion = processPromotionOptions();
  for (const file of files) {
    const decoded = decodeExportRequest(fs.readFileSync(file), { contentType: 'application/x-protobuf', maxBodyBytes: 64 << 20 });
    if (!decoded.ok) throw new Error(decoded.message);
    let text = '';
    for (const row of spanRows(decoded.spans.map((span) => enrichSpan(span, promotion)))) {
      const r = { ...(row as Record<string, unknown>) };
      // The ingest statement computes the duration in SQL; the baseline's rows carry it.
      if (r.duration_ns === undefined && r.start_ns !== undefined && r.end_ns !== undefined) {
        r.duration_ns = (BigInt(r.end_ns as string | bigint) - BigInt(r.start_ns as string | bigint)).toString();
      }
      columns ??= tableColumns.filter((c) => c.name in r);
      text += `${columns.map((c) => copyField(r[c.name], c.type)).join('\t')}\n`;
    }
    if (fd < 0 || written > 64 << 20) {
      if (fd >= 0) fs.closeSync(fd);
      chunks.push(path.join(dir, `chunk-${chunks.length}.tsv`));
      fd = fs.openSync(chunks[chunks.length - 1], 'w');
      written = 0;
    }
    written += fs.writeSync(fd, text);
  }
  if (fd >= 0) fs.closeSync(fd);
  return { columns: columns ?? [], chunks };
}

type Partition = { name: string; parent: string; bound: string; partkey: string | null };

/** Partitions of the source schema's tables, each created in the target (empty, same bounds) unless it exists; parents first. */
export async function mirrorPartitions(source: BenchSql, target: BenchSql): Promise<number> {
  const partitions = await source.query<Partition>(
    `SELECT c.relname AS name, p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound,
            CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey
     FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent
     JOIN pg_namespace pn ON pn.oid = p.relnamespace
     WHERE c.relispartition AND c.relkind IN ('r', 'p') AND pn.nspname = $1`,
    [source.schema],
  );
  const existing = new Set(
    (
      await target.query<{ relname: string }>('SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1', [
        target.schema,
      ])
    ).map((r) => r.relname),
  );
  const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
  let pending = partitions.filter((p) => !existing.has(p.name));
  let created = 0;
  while (pending.length > 0) {
    const ready = pending.filter((p) => existing.has(p.parent));
    if (ready.length === 0) throw new Error(`cannot mirror partitions ${pending.map((p) => p.name).join(', ')}: their parents are missing in the copy`);
    for (const p of ready) {
      await target.query(`CREATE TABLE ${q(p.name)} PARTITION OF ${q(p.parent)} ${p.bound}${p.partkey ? ` PARTITION BY ${p.partkey}` : ''}`);
      existing.add(p.name);
      created++;
    }
    pending = pending.filter((p) => !ready.includes(p));
  }
  return created;
}

export type CopyResult = { seconds: number; rows: number; partitionsMirrored: number };

/** Raw COPY of the workload's rows into a freshly migrated copy of the loaded database (`source`), timed; the copy is dropped afterwards. */
export async function copyBaseline(o: BenchOptions, files: string[], source: BenchSql): Promise<CopyResult> {
  process.stdout.write('[baseline] preparing COPY rows…');
  if (o.db === 'postgres') {
    const schema = `${o.schema}_copy`;
    const admin = postgres(o.databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    try {
      const db = await createDb({ databaseUrl: o.databaseUrl, schemaName: schema });
      await db.migrate();
      await db.close();
      const target = await openBenchSql({ db: 'postgres', databaseUrl: o.databaseUrl, schema });
      const partitionsMirrored = await mirrorPartitions(source, target);
      const { columns, chunks } = copyFiles(files, await tableColumns(target, 'spans'));
      await target.close();
      process.stdout.write(`\r${' '.repeat(40)}\r`);
      const client = postgres(o.databaseUrl, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
      const t = performance.now();
      const sink = await client.unsafe(`COPY spans (${columns.map((c) => c.name).join(', ')}) FROM STDIN`).writable();
      await pipeline(async function* () {
        for (const chunk of chunks) yield* fs.createReadStream(chunk, { highWaterMark: 1 << 20 });
      }, sink);
      const seconds = (performance.now() - t) / 1000;
      const [{ n }] = await client<{ n: number }[]>`SELECT count(*)::int AS n FROM spans`;
      await client.end();
      fs.rmSync(path.dirname(chunks[0]), { recursive: true, force: true });
      if (n === 0) throw new Error('COPY stored no rows');
      return { seconds, rows: n, partitionsMirrored };
    } finally {
      // A 10M-span copy holds gigabytes: it is not kept.
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-copy-db-'));
  try {
    const db = await createDb({ databaseUrl: '', dataDir: dir });
    await db.migrate();
    await db.close();
    const pg = await PGlite.create({ dataDir: dir });
    const target = pgliteSql(pg);
    const partitionsMirrored = await mirrorPartitions(source, target);
    const { columns, chunks } = copyFiles(files, await tableColumns(target, 'spans'));
    process.stdout.write(`\r${' '.repeat(40)}\r`);
    let seconds = 0;
    for (const chunk of chunks) {
      const blob = new Blob([fs.readFileSync(chunk)]);
      const t = performance.now();
      await pg.query(`COPY spans (${columns.map((c) => c.name).join(', ')}) FROM '/dev/blob'`, [], { blob });
      seconds += (performance.now() - t) / 1000;
    }
    const [{ n }] = await target.query<{ n: number }>('SELECT count(*)::int AS n FROM spans');
    await pg.close();
    fs.rmSync(path.dirname(chunks[0]), { recursive: true, force: true });
    if (n === 0) throw new Error('COPY stored no rows');
    return { seconds, rows: n, partitionsMirrored };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
