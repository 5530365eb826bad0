/**
 * Writes the deterministic Plano-like workload (bench/plano-workload.ts) as OTLP
 * protobuf batches of ~512 spans into bench/out/, once per (spans, seed): the
 * other benchmarks reuse the files. Streams batch by batch, so 10M spans fit in
 * the memory of one batch. `--stats` decodes the files again and prints what the
 * workload really contains (spans per trace, tenants, users, errors, time range).
 *
 *   npx tsx bench/generate.ts --spans 1000000 [--seed 1] [--stats]
 */
import fs from 'node:fs';
import { decodeExportRequest } from '../lib/otlp';
import type { AttributeMap } from '../lib/otlp/span-record';
import { type Figure, summaryLine } from './figures';
import { arg, fmt, isMain } from './support';
import { type WorkloadFiles, workloadFiles } from './workload-files';

export function generate(spans: number, seed: number): WorkloadFiles {
  return workloadFiles(spans, seed);
}

const str = (a: AttributeMap, k: string) => {
  const v = a[k];
  return v && 'stringValue' in v ? v.stringValue : undefined;
};

/** One pass over the files; per-trace counts work batch by batch because a trace never straddles two. */
export function workloadStats(files: string[]) {
  const perTrace = new Map<number, number>();
  const tenants = new Map<string, number>();
  const users = new Set<string>();
  const sessions = new Set<string>();
  const models = new Set<string>();
  let traces = 0;
  let errorTraces = 0;
  let spans = 0;
  let withTtft = 0;
  let minNs = BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n;
  let maxNs = 0n;
  for (const file of files) {
    const decoded = decodeExportRequest(fs.readFileSync(file), { contentType: 'application/x-protobuf', maxBodyBytes: 64 << 20 });
    if (!decoded.ok) throw new Error(`${file}: ${decoded.message}`);
    const count = new Map<string, number>();
    const failed = new Set<string>();
    for (const sp of decoded.spans) {
      spans++;
      count.set(sp.traceId, (count.get(sp.traceId) ?? 0) + 1);
      const status = Number(str(sp.attributes, 'http.status_code') ?? 0);
      if (sp.statusCode === 2 || status >= 500) failed.add(sp.traceId);
      if (sp.parentSpanId === null) {
        const tenant = str(sp.attributes, 'tenant.id') ?? '';
        tenants.set(tenant, (tenants.get(tenant) ?? 0) + 1);
      }
      users.add(str(sp.attributes, 'user.id') ?? '');
      sessions.add(str(sp.attributes, 'session.id') ?? '');
      const model = str(sp.attributes, 'llm.model');
      if (model) models.add(model);
      if (sp.attributes['llm.time_to_first_token']) withTtft++;
      if (sp.startTimeUnixNano < minNs) minNs = sp.startTimeUnixNano;
      if (sp.endTimeUnixNano > maxNs) maxNs = sp.endTimeUnixNano;
    }
    for (const n of count.values()) perTrace.set(n, (perTrace.get(n) ?? 0) + 1);
    traces += count.size;
    errorTraces += failed.size;
  }
  const ranked = [...tenants.entries()].sort((a, b) => b[1] - a[1]);
  return {
    spans,
    traces,
    spansPerTrace: Object.fromEntries([...perTrace.entries()].sort((a, b) => a[0] - b[0])),
    tenants: ranked.length,
    topTenant: ranked[0],
    smallestTenant: ranked[ranked.length - 1],
    users: users.size,
    sessions: sessions.size,
    models: [...models].sort(),
    llmSpansWithTtft: withTtft,
    errorTraceShare: traces ? errorTraces / traces : 0,
    from: new Date(Number(minNs / 1_000_000n)).toISOString(),
    to: new Date(Number(maxNs / 1_000_000n)).toISOString(),
  };
}

async function main() {
  const spans = Number(arg('spans', '1000000'));
  const seed = Number(arg('seed', '1'));
  const w = generate(spans, seed);
  console.log(
    `[generate] ${fmt(w.spans)} spans, ${fmt(w.files.length)} batches, ${fmt(w.bytes / 1e6, 1)} MB in ${w.dir}${w.generatedSeconds === null ? ' (cached)' : ''}`,
  );
  const figures: Figure[] = [
    { name: 'spans', value: w.spans, unit: '' },
    { name: 'batches', value: w.files.length, unit: '' },
    { name: 'size', value: w.bytes / 1e6, unit: 'MB' },
  ];
  if (w.generatedSeconds !== null) figures.push({ name: 'generated in', value: w.generatedSeconds, unit: 's' });
  if (process.argv.includes('--stats')) {
    const stats = workloadStats(w.files);
    console.log(JSON.stringify(stats, null, 2));
    figures.push({ name: 'traces', value: stats.traces, unit: '' }, { name: 'error traces', value: stats.errorTraceShare * 100, unit: '%' });
  }
  console.log(summaryLine('generate', `seed ${seed}`, figures));
}

if (isMain(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
