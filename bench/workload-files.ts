/** Generates the workload once per (spans, seed) into bench/out/ so benchmarks measure ingest, not generation. */
import fs from 'node:fs';
import path from 'node:path';
import { planoWorkload } from './plano-workload';

export const OUT_DIR = path.join(process.cwd(), 'bench', 'out');

export function workloadFiles(totalSpans: number, seed = 1, spansPerBatch = 512): { dir: string; files: string[]; spans: number } {
  const dir = path.join(OUT_DIR, `workload-${totalSpans}-${seed}-${spansPerBatch}`);
  const done = path.join(dir, 'DONE');
  if (!fs.existsSync(done)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const started = performance.now();
    let n = 0;
    let spans = 0;
    // A fixed end time keeps the files identical across runs (same seed → same bytes).
    const endMs = Date.UTC(2026, 10, 20);
    for (const batch of planoWorkload({ totalSpans, seed, endMs, days: 7, spansPerBatch })) {
      fs.writeFileSync(path.join(dir, `batch-${String(n++).padStart(6, '0')}.pb`), batch.body);
      spans += batch.spans;
      if (n % 200 === 0) process.stdout.write(`\r[generate] ${spans.toLocaleString('en-US')} spans`);
    }
    fs.writeFileSync(done, JSON.stringify({ spans, batches: n }));
    console.log(`\r[generate] ${spans.toLocaleString('en-US')} spans in ${n} batches (${((performance.now() - started) / 1000).toFixed(1)} s) → ${dir}`);
  }
  const meta = JSON.parse(fs.readFileSync(done, 'utf8')) as { spans: number };
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.pb')).sort().map((f) => path.join(dir, f));
  return { dir, files, spans: meta.spans };
}

if (process.argv[1]?.endsWith('workload-files.ts')) {
  const total = Number(process.argv[2] ?? 1_000_000);
  workloadFiles(total);
}
