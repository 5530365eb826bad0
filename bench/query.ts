/**
 * `where` benchmark: 20 representative filters through GET /api/traces (top 50,
 * newest first), each timed over --runs runs after --warmup untimed ones, on a
 * server already loaded with the Plano-like workload; then EXPLAIN (ANALYZE,
 * BUFFERS) of the 3 slowest, straight on Postgres, into bench/out/explain-<n>.txt.
 *
 *   npx tsx bench/query.ts [--url http://127.0.0.1:3000] [--spans 1000000 (scale of the target)]
 *     [--runs 20] [--warmup 3] [--db postgres|pglite] [--schema bench_ingest] [--no-explain]
 * Without --url it serves the app on the benchmark database (DATABASE_URL + --schema / TRACEDECK_DB_SCHEMA,
 * or --data-dir for PGlite), as bench:ingest left it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDb } from '../db/client';
import type { TraceSummary } from '../lib/trace/wire';
import { explainToFile } from './explain';
import { type Figure, summaryLine, TARGETS } from './figures';
import { type LoadedData, loadedData, windowParams } from './loaded-data';
import { type BenchOptions, runReadBenchMain } from './options';
import { MODELS, TENANTS } from './plano-workload';
import { getJson, isMain, ms, summary, timed } from './support';
import { OUT_DIR } from './workload-files';

type Window = 'all' | '1h' | '24h' | '7d';
/** `figure`: reported in the summary, against the 3-predicate target. */
type Case = { name: string; where: string[]; window: Window; figure?: string };

/** The filters, with values the workload generates (bench/plano-workload.ts) or that the data holds (LoadedData). */
export function whereCases(d: LoadedData): Case[] {
  const [t01, t02, t03, t05, t07, t40] = [TENANTS[0], TENANTS[1], TENANTS[2], TENANTS[4], TENANTS[6], TENANTS[39]];
  // Fails loudly if the workload stops generating a model a filter names.
  const model = (name: string) => {
    if (!MODELS.some((m) => m[0] === name)) throw new Error(`plano-workload.ts has no model ${name}`);
    return name;
  };
  const three = `tenant.id=${t03} llm.model=${model('gpt-4o')} http.status_code>=500`;
  return [
    { name: 'single key: tenant', where: [`tenant.id=${t03}`], window: 'all' },
    { name: 'single key: model', where: [`llm.model=${model('gpt-4o')}`], window: 'all' },
    { name: '3 predicates', where: [three], window: 'all', figure: 'where 3-predicate top-50 p95' },
    { name: '3 predicates, 24h', where: [three], window: '24h', figure: 'where 3-predicate 24h top-50 p95' },
    { name: '3 predicates, glob + 429', where: [`tenant.id=${t07} llm.model~claude* http.status_code=429`], window: 'all' },
    { name: 'numeric >=', where: ['http.status_code>=500'], window: 'all' },
    { name: 'numeric > on a double', where: ['llm.time_to_first_token>3000'], window: 'all' },
    { name: 'numeric > on tokens, 24h', where: ['llm.usage.total_tokens>5000'], window: '24h' },
    { name: 'glob', where: ['llm.model~claude*'], window: 'all' },
    { name: 'exists', where: ['error.message exists'], window: 'all' },
    { name: 'OR of tenants', where: [`tenant.id=${t02} OR tenant.id=${t40}`], window: 'all' },
    { name: 'OR across keys', where: [`llm.model=${model('o3-mini')} OR http.status_code=503`], window: 'all' },
    { name: 'NOT', where: [`NOT llm.model=${model('gpt-4o-mini')}`], window: 'all' },
    { name: 'tenant AND NOT status 200, 1h', where: [`tenant.id=${t05} NOT http.status_code=200`], window: '1h' },
    { name: 'rare value: one user, all tenants', where: [`user.id=${d.rareUser}`], window: 'all' },
    { name: 'absent value', where: ['user.id=usr_nobody'], window: 'all' },
    { name: 'common value (every trace)', where: ['environment=production'], window: 'all' },
    { name: 'common value, 24h', where: ['environment=production'], window: '24h' },
    { name: 'status=error, 7d', where: ['status=error'], window: '7d' },
    { name: 'span intrinsics: service + duration', where: [`service="plano(llm)" duration>20s tenant.id=${t01}`], window: 'all' },
  ];
}

export type CaseResult = Case & { n: number; url: string; params: URLSearchParams; rows: number; p50: number; p95: number; max: number };

export async function runQueryBench(o: BenchOptions, url: string): Promise<Figure[]> {
  const data = await loadedData(url);
  console.log(`[query] data ends ${data.end}; rare user ${data.rareUser} (${data.rareTenant}); ${o.runs} runs after ${o.warmup} warm-ups`);
  const results: CaseResult[] = [];
  console.log(
    `${'#'.padStart(2)}  ${'filter'.padEnd(38)} ${'window'.padEnd(6)} ${'rows'.padStart(4)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}  where`,
  );
  for (const [i, c] of whereCases(data).entries()) {
    const params = new URLSearchParams([...c.where.map((w) => ['where', w]), ['limit', '50'], ...Object.entries(windowParams(data, c.window))]);
    const target = `${url}/api/traces?${params}`;
    const run = await timed(() => getJson<{ traces: TraceSummary[] }>(target), o.runs, o.warmup);
    const s = summary(run.ms);
    const r: CaseResult = { ...c, n: i + 1, url: target, params, rows: run.last.traces.length, p50: s.p50, p95: s.p95, max: s.max };
    results.push(r);
    console.log(
      `${String(r.n).padStart(2)}  ${c.name.padEnd(38)} ${c.window.padEnd(6)} ${String(r.rows).padStart(4)} ${ms(r.p50).padStart(6)} ${ms(r.p95).padStart(6)} ${ms(r.max).padStart(6)}  ${c.where.join(' AND ')}`,
    );
  }
  const slowest = [...results].sort((a, b) => b.p95 - a.p95).slice(0, 3);
  if (!process.argv.includes('--no-explain')) await explainSlowest(o, slowest);

  const p95s = summary(results.map((r) => r.p95));
  const figures: Figure[] = [
    ...results.flatMap((r) => (r.figure ? [{ name: r.figure, value: r.p95, unit: 'ms', target: TARGETS.where3(o.spans) }] : [])),
    { name: `where median p95 of ${results.length} filters`, value: p95s.p50, unit: 'ms' },
    { name: `where slowest p95 (#${slowest[0].n} ${slowest[0].name})`, value: slowest[0].p95, unit: 'ms', target: TARGETS.slowestWhere },
  ];
  console.log(summaryLine('query', `${results.length} filters, ${o.runs} runs`, figures));
  return figures;
}

async function explainSlowest(o: BenchOptions, slowest: CaseResult[]): Promise<void> {
  if (o.db !== 'postgres') {
    console.log('[query] EXPLAIN skipped: the PGlite folder is open in the server (one process per folder)');
    return;
  }
  // Plans of an earlier run would read as this run's.
  for (const f of fs.existsSync(OUT_DIR) ? fs.readdirSync(OUT_DIR) : []) if (/^explain-\d+\.txt$/.test(f)) fs.rmSync(path.join(OUT_DIR, f));
  const db = await createDb({ databaseUrl: o.databaseUrl, schemaName: o.schema });
  try {
    for (const r of slowest) {
      const header = [`#${r.n} ${r.name}: p50 ${ms(r.p50)} ms, p95 ${ms(r.p95)} ms over ${o.runs} runs via HTTP, ${r.rows} rows`, `schema ${o.schema}`];
      const file = await explainToFile(db, r.params, `explain-${r.n}`, header);
      console.log(`[query] EXPLAIN of #${r.n} (${r.name}, p95 ${ms(r.p95)} ms) → ${file}`);
    }
  } finally {
    await db.close();
  }
}

if (isMain(import.meta.url)) runReadBenchMain(runQueryBench);
