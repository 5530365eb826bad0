/**
 * Generates the workload once per (spans, seed) into bench/out/ so benchmarks measure ingest, not generation.
 * Batches go to disk as they are produced (one in memory at a time), so 10M spans need no more memory than 50k.
 */
import fs from 'node:fs';
import path from 'node:path';
import { planoWorkload } from './plano-workload';

export const OUT_DIR = path.join(process.cwd(), 'bench', 'out');
/** A fixed end keeps the files identical across runs (same seed → same bytes). The data covers the 7 days before it. */
export const WORKLOAD_END_MS = Date.UTC(2026, 10, 20);
export const WORKLOAD_DAYS = 7;
/** Bump when plano-workload.ts changes what it generates, so stale caches are not reused. */
const WORKLOAD_VERSION = 2;

export type WorkloadFiles = { dir: string; files: string[]; spans: number; bytes: number; generatedSeconds: number | null };

export function workloadFiles(totalSpans: number, seed = 1, spansPerBatch = 512): WorkloadFiles {
  const dir = path.join(OUT_DIR, `workload-v${WORKLOAD_VERSION}-${totalSpans}-${seed}-${spansPerBatch}`);
  const done = path.join(dir, 'DONE');
  let generatedSeconds: number | null = null;
  if (!fs.existsSync(done)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const started = performance.now();
    let n = 0;
    let spans = 0;
    let bytes = 0;
    for (const batch of planoWorkload({ totalSpans, seed, endMs: WORKLOAD_END_MS, days: WORKLOAD_DAYS, spansPerBatch })) {
      fs.writeFileSync(path.join(dir, `batch-${String(n++).padStart(6, '0')}.pb`), batch.body);
      spans += batch.spans;
      bytes += batch.body.byteLength;
      if (n % 200 === 0) process.stdout.write(`\r[generate] ${spans.toLocaleString('en-US')} spans`);
    }
    // Written last: a run interrupted mid-way leaves no DONE and is regenerated next time.
    fs.writeFileSync(done, JSON.stringify({ spans, batches: n, bytes }));
    generatedSeconds = (performance.now() - started) / 1000;
    console.log(`\r[generate] ${spans.toLocaleString('en-US')} spans in ${n} batches (${generatedSeconds.toFixed(1)} s) → ${dir}`);
  }
  const meta = JSON.parse(fs.readFileSync(done, 'utf8')) as { spans: number; bytes?: number };
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.pb'))
    .sort()
    .map((f) => path.join(dir, f));
  return { dir, files, spans: meta.spans, bytes: meta.bytes ?? 0, generatedSeconds };
}
