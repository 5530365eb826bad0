/**
 * `bench:ingest-cpu --db pglite`: what the embedded database's worker thread spends per span
 * while ingest runs as in a server — the batches decoded and enriched first, then stored by
 * `--clients` concurrent writers (db/ingest.ts storeSpans) with the summarizer, the roller, the
 * auto-analyze and maintenance loops running beside them. It prints the worker thread's CPU time
 * (not wall time: the machine is shared) during the appends and for catching up afterwards, the
 * acknowledged spans/s without HTTP, and (`pgliteProfile`) the statements
 * that took the most of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flushCatalog } from '../db/catalog-buffer';
import { createDb } from '../db/client';
import { storeSpans } from '../db/ingest';
import { startMaintenance } from '../db/maintenance';
import type { PgliteWorkerStats } from '../db/pglite-host';
import { drainRollups } from '../db/rollups';
import { startAutoAnalyze } from '../db/statistics';
import { startSummarizer, summarizeNow } from '../db/summarizer';
import { enrichSpan } from '../lib/enrich/enrich';
import { decodeExportRequest } from '../lib/otlp';
import type { EnrichedSpan } from '../lib/trace/promoted';
import { processPromotionOptions } from '../server/ingest/deps';
import { fmt } from './support';
import { workloadFiles } from './workload-files';

export type PgliteIngestCpu = {
  spans: number;
  /** Wall seconds until every batch was acknowledged. */
  seconds: number;
  /** Worker CPU (µs) while the batches were stored, and catching up after (summaries, rollups, catalog). */
  ingestCpuUs: number;
  catchUpCpuUs: number;
  /** Worker CPU (µs) per statement text while the batches were stored (`pgliteProfile`). */
  statements: Record<string, { count: number; cpuUs: number }>;
};

/** The statements' counts and CPU between two stats readings. */
function statementsBetween(before: PgliteWorkerStats, after: PgliteWorkerStats): PgliteIngestCpu['statements'] {
  const out: PgliteIngestCpu['statements'] = {};
  for (const [text, s] of Object.entries(after.statements ?? {})) {
    const b = before.statements?.[text];
    out[text] = { count: s.count - (b?.count ?? 0), cpuUs: s.cpuUs - (b?.cpuUs ?? 0) };
  }
  return out;
}

function decodedBatches(files: string[]): EnrichedSpan[][] {
  const promotion = processPromotionOptions();
  return files.map((file) => {
    const decoded = decodeExportRequest(fs.readFileSync(file), { contentType: 'application/x-protobuf', maxBodyBytes: 64 << 20 });
    if (!decoded.ok) throw new Error(decoded.message);
    return decoded.spans.map((span) => enrichSpan(span, promotion));
  });
}

export async function ingestCpuPglite(spansWanted: number, clients: number): Promise<PgliteIngestCpu> {
  const batches = decodedBatches(workloadFiles(spansWanted, 1).files);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-ingest-cpu-'));
  const db = await createDb({ databaseUrl: '', dataDir, schemaName: 'public', pgliteProfile: true });
  try {
    await db.migrate();
    // As server/db.ts starts them.
    startSummarizer(db);
    startMaintenance(db, { retentionMs: null });
    startAutoAnalyze(db);
    const before = await db.workerStats!();
    const started = performance.now();
    let next = 0;
    let spans = 0;
    const writer = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        await storeSpans(db, batch);
        spans += batch.length;
      }
    };
    await Promise.all(Array.from({ length: clients }, writer));
    const seconds = (performance.now() - started) / 1000;
    const stored = await db.workerStats!();
    await summarizeNow(db);
    await drainRollups(db);
    await flushCatalog(db);
    const after = await db.workerStats!();
    return {
      spans,
      seconds,
      ingestCpuUs: stored.cpuUs - before.cpuUs,
      catchUpCpuUs: after.cpuUs - stored.cpuUs,
      statements: statementsBetween(before, stored),
    };
  } finally {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printPgliteIngestCpu(r: PgliteIngestCpu): void {
  const us = (x: number) => `${(x / r.spans).toFixed(1)} µs`;
  console.log(`${fmt(r.spans)} spans acknowledged at ${fmt(r.spans / r.seconds)} spans/s (no HTTP; load ${os.loadavg()[0].toFixed(1)})`);
  console.log(
    `PGlite worker CPU per span: while storing ${us(r.ingestCpuUs)}, catching up after ${us(r.catchUpCpuUs)}, total ${us(r.ingestCpuUs + r.catchUpCpuUs)}`,
  );
  console.log('  while storing, by statement:');
  const top = Object.entries(r.statements)
    .sort(([, a], [, b]) => b.cpuUs - a.cpuUs)
    .slice(0, 15);
  for (const [text, s] of top) console.log(`  ${us(s.cpuUs).padStart(9)}  ${fmt(s.count).padStart(6)}×  ${text}`);
}
