/**
 * CPU the server process spends per ingested span, without HTTP or Next.js: each workload
 * batch is decoded, enriched and stored (db/ingest.ts storeSpans, catalog folded) into a
 * fresh Postgres schema, and the process's own CPU time (user + system, not wall time) is
 * divided by the spans. The database's share is read the same way from /proc for this
 * client's backends (Postgres on this machine): the appends, then the summaries, built in
 * one go at the end (the summarizer is held off with its advisory lock meanwhile; live, it
 * runs in many small passes, which cost somewhat more). A figure for profiling the request
 * path on a shared, noisy machine, where wall-clock throughput moves with the load.
 *
 *   npx tsx bench/ingest-cpu.ts [--spans 200000] [--database-url URL] [--schema bench_ingest_cpu]
 *     [--group-by-tenant off|on]   (one append statement per tenant of a batch, db/ingest.ts)
 *   npx tsx bench/ingest-cpu.ts --db pglite [--spans 200000] [--clients 4]   (bench/ingest-cpu-pglite.ts)
 */
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createDb } from '../db/client';
import { flushCatalog } from '../db/catalog-buffer';
import { storeSpans } from '../db/ingest';
import { jobLockKey } from '../db/locks';
import { summarizeNow } from '../db/summarizer';
import { enrichSpan } from '../lib/enrich/enrich';
import { decodeExportRequest } from '../lib/otlp';
import { processPromotionOptions } from '../server/ingest/deps';
import { ingestCpuPglite, printPgliteIngestCpu } from './ingest-cpu-pglite';
import { dropSchemas } from './ingest-post';
import { benchOptions } from './options';
import { parseFlag } from '../lib/flag';
import { arg, fmt, isMain } from './support';
import { workloadFiles } from './workload-files';

const SCHEMA = 'bench_ingest_cpu';

type Stage = 'decode' | 'enrich' | 'store' | 'dbAppend' | 'dbSummarize';

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (µs) of this bench's database backends so far, from /proc (0 for a backend not readable here). */
async function backendsCpu(admin: postgres.Sql, app: string): Promise<number> {
  const rows = await admin<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE application_name = ${app}`;
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* not on this machine */
    }
  }
  return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
}

export type IngestCpuOptions = { schema?: string; groupByTenant?: boolean };

export async function ingestCpu(
  spansWanted: number,
  databaseUrl: string,
  { schema = SCHEMA, groupByTenant = false }: IngestCpuOptions = {},
): Promise<Record<Stage, number> & { spans: number }> {
  const { files } = workloadFiles(spansWanted, 1);
  await dropSchemas(databaseUrl, [schema]);
  const url = new URL(databaseUrl);
  // The backends are found by this name: the schema's, so two runs of the bench on other schemas do not mix.
  url.searchParams.set('application_name', schema);
  const db = await createDb({ databaseUrl: url.toString(), schemaName: schema, maxConnections: 3 });
  await db.migrate();
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  // Hold the summarizer off until the end (its passes try this lock and step back).
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = db.transaction(async (tx) => {
    await tx.rows(sql`SELECT pg_advisory_xact_lock(${jobLockKey('summarizer')})`);
    locked();
    await released;
  });
  await isLocked;
  const promotion = processPromotionOptions();
  const cpu: Record<Stage, number> = { decode: 0, enrich: 0, store: 0, dbAppend: 0, dbSummarize: 0 };
  const dbStart = await backendsCpu(admin, schema);
  const since = (start: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(start);
    return d.user + d.system;
  };
  let spans = 0;
  try {
    for (const file of files) {
      const body = fs.readFileSync(file);
      let t = process.cpuUsage();
      const decoded = decodeExportRequest(body, { contentType: 'application/x-protobuf', maxBodyBytes: 64 << 20 });
      if (!decoded.ok) throw new Error(decoded.message);
      cpu.decode += since(t);
      t = process.cpuUsage();
      const enriched = decoded.spans.map((span) => enrichSpan(span, promotion));
      cpu.enrich += since(t);
      t = process.cpuUsage();
      await storeSpans(db, enriched, { groupByTenant });
      cpu.store += since(t);
      spans += enriched.length;
    }
    const t = process.cpuUsage();
    await flushCatalog(db);
    cpu.store += since(t);
    const appended = await backendsCpu(admin, schema);
    cpu.dbAppend = appended - dbStart;
    release();
    await holder;
    await summarizeNow(db);
    cpu.dbSummarize = (await backendsCpu(admin, schema)) - appended;
  } finally {
    release();
    await admin.end();
    await db.close();
    await dropSchemas(databaseUrl, [schema]);
  }
  return { ...cpu, spans };
}

function main(o = benchOptions()): Promise<void> {
  if (o.db === 'pglite') return ingestCpuPglite(o.spans, o.clients).then(printPgliteIngestCpu);
  const groupByTenant = parseFlag(arg('group-by-tenant', 'off'));
  if (groupByTenant === null) throw new Error('--group-by-tenant must be on or off');
  return ingestCpu(o.spans, o.databaseUrl, { schema: arg('schema', SCHEMA), groupByTenant }).then((r) => {
    const us = (x: number) => `${(x / r.spans).toFixed(1)} µs`;
    console.log(
      `${fmt(r.spans)} spans; CPU of this process per span: decode ${us(r.decode)}, enrich ${us(r.enrich)}, store ${us(r.store)}, total ${us(r.decode + r.enrich + r.store)}`,
    );
    console.log(`database backends per span: appends and catalog ${us(r.dbAppend)}, summaries ${us(r.dbSummarize)} (in one go at the end)`);
  });
}

if (isMain(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
