/**
 * CPU the server process spends per ingested span, without HTTP or Next.js: each workload
 * batch is decoded, enriched and stored (db/ingest.ts storeSpans, catalog folded) into a
 * fresh Postgres schema, and the process's own CPU time (user + system, not wall time: the
 * database works in its own processes) is divided by the spans. A figure for profiling the
 * request path on a shared, noisy machine, where wall-clock throughput moves with the load.
 *
 *   npx tsx bench/ingest-cpu.ts [--spans 200000] [--database-url URL]
 */
import fs from 'node:fs';
import { createDb } from '../db/client';
import { flushCatalog } from '../db/catalog-buffer';
import { storeSpans } from '../db/ingest';
import { enrichSpan } from '../lib/enrich/enrich';
import { decodeExportRequest } from '../lib/otlp';
import { processPromotionOptions } from '../server/ingest/deps';
import { dropSchemas } from './ingest-post';
import { benchOptions } from './options';
import { fmt, isMain } from './support';
import { workloadFiles } from './workload-files';

const SCHEMA = 'bench_ingest_cpu';

type Stage = 'decode' | 'enrich' | 'store';

export async function ingestCpu(spansWanted: number, databaseUrl: string): Promise<Record<Stage, number> & { spans: number }> {
  const { files } = workloadFiles(spansWanted, 1);
  await dropSchemas(databaseUrl, [SCHEMA]);
  const db = await createDb({ databaseUrl, schemaName: SCHEMA });
  await db.migrate();
  const promotion = processPromotionOptions();
  const cpu: Record<Stage, number> = { decode: 0, enrich: 0, store: 0 };
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
      await storeSpans(db, enriched);
      cpu.store += since(t);
      spans += enriched.length;
    }
    const t = process.cpuUsage();
    await flushCatalog(db);
    cpu.store += since(t);
  } finally {
    await db.close();
    await dropSchemas(databaseUrl, [SCHEMA]);
  }
  return { ...cpu, spans };
}

if (isMain(import.meta.url)) {
  const o = benchOptions();
  ingestCpu(o.spans, o.databaseUrl).then(
    (r) => {
      const us = (x: number) => `${(x / r.spans).toFixed(1)} µs`;
      console.log(
        `${fmt(r.spans)} spans; CPU of this process per span: decode ${us(r.decode)}, enrich ${us(r.enrich)}, store ${us(r.store)}, total ${us(r.decode + r.enrich + r.store)}`,
      );
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
