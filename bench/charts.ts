/**
 * Chart benchmark: GET /api/metrics as the chart pages ask it — one tenant
 * (stacked by model), all tenants (stacked by tenant), one user, and the users of
 * a tenant — over the 24 h and 7 d windows ending at the data's end; then the
 * /tenants and /tenants/<id> pages as HTML. p50/p95 per request, plus the
 * aggregation time the API reports itself (queryMs).
 *
 *   npx tsx bench/charts.ts [--url http://127.0.0.1:3000] [--runs 20] [--warmup 3] [--spans N] [--db …] [--schema …]
 */
import postgres from 'postgres';
import { type Figure, summaryLine, TARGETS, type Target } from './figures';
import { loadedData, windowParams } from './loaded-data';
import { type BenchOptions, runReadBenchMain } from './options';
import { getJson, getText, isMain, ms, summary, timed } from './support';

type ChartRequest = { name: string; path: string; params: Record<string, string>; kind: 'api' | 'page'; figure?: Target | true };

/**
 * Charts over big ranges read the rollups, which the server's roller fills a few
 * seconds after ingest: wait until no granule is left dirty, so the figures are those
 * of a settled system (the roller's own time is reported).
 */
async function waitForRollups(o: BenchOptions, url: string): Promise<void> {
  if (o.db !== 'postgres' || o.url) return;
  // A freshly started server's roller starts with its first metrics query.
  await getJson(`${url}/api/metrics?since=1h`);
  const client = postgres(o.databaseUrl, { max: 1, onnotice: () => {}, connection: { search_path: o.schema } });
  const started = performance.now();
  try {
    for (;;) {
      const [{ n }] = await client<{ n: number }[]>`SELECT ((SELECT count(*) FROM rollup_dirty) + (SELECT count(*) FROM trace_deltas))::int AS n`;
      if (n === 0) break;
      process.stdout.write(`\r[charts] waiting for the roller: ${n} dirty granule marks`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await client.end();
  }
  console.log(`\r[charts] rollups settled ${((performance.now() - started) / 1000).toFixed(1)} s after the read benchmarks reached them`);
}

export async function runChartsBench(o: BenchOptions, url: string): Promise<Figure[]> {
  await waitForRollups(o, url);
  const data = await loadedData(url);
  const tenant = data.busyTenant;
  console.log(`[charts] data ends ${data.end}; tenant ${tenant}, user ${data.busyUser}; ${o.runs} runs after ${o.warmup} warm-ups`);
  const requests: ChartRequest[] = [];
  for (const window of ['24h', '7d'] as const) {
    const range = windowParams(data, window);
    requests.push(
      {
        name: `tenant chart (${tenant}, by model) ${window}`,
        kind: 'api',
        path: '/api/metrics',
        params: { where: `tenant.id=${tenant}`, group_by: 'llm.model', top: '8', ...range },
        figure: window === '7d' ? TARGETS.tenantChart7d : true,
      },
      {
        name: `all-tenant chart (by tenant) ${window}`,
        kind: 'api',
        path: '/api/metrics',
        params: { group_by: 'tenant.id', top: '8', ...range },
        figure: window === '7d' ? TARGETS.allTenantChart7d : true,
      },
      {
        name: `user chart (by model) ${window}`,
        kind: 'api',
        path: '/api/metrics',
        params: { where: `user.id=${data.busyUser}`, group_by: 'llm.model', top: '8', ...range },
        figure: true,
      },
      {
        name: `users of ${tenant} chart (by user) ${window}`,
        kind: 'api',
        path: '/api/metrics',
        params: { where: `tenant.id=${tenant}`, group_by: 'user.id', top: '8', ...range },
        figure: true,
      },
      {
        name: `users of ${tenant} table (top 100) ${window}`,
        kind: 'api',
        path: '/api/metrics',
        params: { where: `tenant.id=${tenant}`, group_by: 'user.id', top: '100', series: 'false', ...range },
      },
      { name: `page /tenants ${window}`, kind: 'page', path: '/tenants', params: range, figure: true },
      {
        name: `page /tenants/${tenant} ${window}`,
        kind: 'page',
        path: `/tenants/${tenant}`,
        params: range,
        figure: window === '7d' ? TARGETS.tenantPage7d : true,
      },
    );
  }
  const figures: Figure[] = [];
  console.log(`${'request'.padEnd(44)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}  server query p50 / answer`);
  for (const r of requests) {
    const target = `${url}${r.path}?${new URLSearchParams(r.params)}`;
    const serverMs: number[] = [];
    let detail = '';
    const run = await timed(
      async () => {
        if (r.kind === 'page') {
          const html = await getText(target);
          detail = `${Math.round(html.length / 1024)} KiB HTML`;
          return;
        }
        const body = await getJson<{ queryMs: number; totals: { requests: number }; groups: unknown[]; buckets: unknown[] }>(target);
        serverMs.push(body.queryMs);
        detail = `${body.totals.requests} requests, ${body.groups.length} groups, ${body.buckets.length} buckets`;
      },
      o.runs,
      o.warmup,
    );
    const s = summary(run.ms);
    const server = serverMs.length ? `${ms(summary(serverMs.slice(o.warmup)).p50)} ms` : '—';
    console.log(`${r.name.padEnd(44)} ${ms(s.p50).padStart(6)} ${ms(s.p95).padStart(6)} ${ms(s.max).padStart(6)}  ${server} / ${detail}`);
    if (r.figure) figures.push({ name: `${r.name} p95`, value: s.p95, unit: 'ms', ...(r.figure === true ? {} : { target: r.figure }) });
  }
  console.log(summaryLine('charts', `${requests.length} requests, ${o.runs} runs`, figures));
  return figures;
}

if (isMain(import.meta.url)) runReadBenchMain(runChartsBench);
