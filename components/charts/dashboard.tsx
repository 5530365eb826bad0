'use client';
/**
 * The chart pages' view: filter bar, totals with sampling estimates, stacked
 * charts per tenant / model / user / session, percentile lines, and tables.
 * All state is in the URL (the filter bar's fields, `by`, `est`); changing it
 * navigates and the server renders the new figures. A click on a bar or point
 * opens the trace list filtered to that bucket and group.
 */
import { parseAsString, useQueryStates } from 'nuqs';
import { useRouter } from 'next/navigation';
import { type ReactNode, useTransition } from 'react';
import { FilterBar } from '@/components/filter-bar';
import { filterUrlParsers } from '@/components/filter-bar/url-state';
import { type DashboardData, DEFAULT_DASHBOARD_SINCE, type StackBy } from '@/lib/metrics/scope';
import type { FilterState } from '@/lib/filter-state';
import { ERROR_TERM, groupTerm, traceListHref } from '@/lib/metrics/links';
import type { MetricValues, MetricsBucket, MetricsGroup, MetricsResponse } from '@/lib/metrics/types';
import styles from './charts.module.css';
import { fmtCompact, fmtCost, fmtCostTick, fmtInt, fmtMs, fmtMsShort, fmtMsTick, fmtPct } from './format';
import { GroupTable, TraceTable } from './tables';
import { type BarSeries, ChartPanel, PercentileLines, StackedBars } from './time-charts';

const urlState = {
  ...filterUrlParsers,
  by: parseAsString,
  est: parseAsString,
};

const STACK_LABELS: Record<StackBy, string> = { tenant: 'tenant', model: 'model', user: 'user', session: 'session' };

export function seriesColor(group: Pick<MetricsGroup, 'key' | 'other'>, index: number): string {
  if (group.other) return 'var(--series-other)';
  if (group.key === null) return 'var(--series-none)';
  return `var(--series-${index % 8})`;
}

/** "1,234 · ≈ 6,170 est." when sampled; the estimate is labelled as one. */
function Estimate({ value, format, sampled }: { value: number | null | undefined; format: (n: number) => string; sampled: boolean }) {
  if (!sampled || value === undefined || value === null) return null;
  return (
    <span className={styles.estimate} title="Estimate: each stored request weighted by its sampling rate">
      ≈ {format(value)}
      <span className={styles.estimateTag}>est.</span>
    </span>
  );
}

function Tiles({ totals, sampled }: { totals: MetricValues; sampled: boolean }) {
  const est = totals.estimated;
  const tile = (testId: string | undefined, label: string, value: ReactNode, sub: ReactNode, title?: string) => (
    <div className={styles.tile} data-testid={testId} title={title}>
      <div className={styles.tileLabel}>{label}</div>
      <div className={styles.tileValue}>{value}</div>
      <div className={styles.tileSub}>{sub}</div>
    </div>
  );
  return (
    <div className={styles.tiles} data-testid="summary">
      {tile('summary-requests', 'Requests', fmtInt(totals.requests), sampled ? <Estimate value={est.requests} format={fmtInt} sampled /> : 'unsampled')}
      {tile(
        'summary-errors',
        'Errors',
        fmtInt(totals.errors),
        <>
          {fmtPct(totals.errorRate)} {sampled ? <Estimate value={est.errors} format={fmtInt} sampled /> : null}
        </>,
        'Requests with an error span or an HTTP status >= 500',
      )}
      {tile('summary-4xx', '4xx', fmtInt(totals.clientErrors), fmtPct(totals.clientErrorRate), 'Requests answered with an HTTP 4xx (counted on their own)')}
      {tile('summary-latency', 'Latency p95', fmtMsShort(totals.latencyP95Ms), `p50 ${fmtMsShort(totals.latencyP50Ms)} · p99 ${fmtMsShort(totals.latencyP99Ms)}`, 'Whole-request duration percentiles')}
      {tile('summary-ttft', 'TTFT p95', fmtMsShort(totals.ttftP95Ms), `p50 ${fmtMsShort(totals.ttftP50Ms)}`, 'Time to first token (llm.time_to_first_token)')}
      {tile(
        'summary-tokens',
        'Tokens',
        fmtCompact(totals.totalTokens),
        totals.totalTokens === null || totals.totalTokens === undefined ? (
          'no token keys'
        ) : sampled ? (
          <Estimate value={est.totalTokens} format={fmtCompact} sampled />
        ) : (
          `${fmtCompact(totals.promptTokens)} in · ${fmtCompact(totals.completionTokens)} out`
        ),
      )}
      {tile(
        'summary-cost',
        'Cost',
        fmtCost(totals.costUsd),
        totals.costUsd === null || totals.costUsd === undefined ? 'no cost keys' : sampled ? <Estimate value={est.costUsd} format={fmtCost} sampled /> : 'USD, as reported',
      )}
      {tile('summary-users', 'Users · sessions', `${fmtInt(totals.users)} · ${fmtInt(totals.sessions)}`, 'distinct')}
    </div>
  );
}

/** Coloured labels of a line chart's series with their overall values. */
function LineMeta({ items }: { items: { label: string; color: string; value: string }[] }) {
  return (
    <>
      {items.map((item) => (
        <span key={item.label} className={styles.lineKey}>
          <span className={styles.lineSwatch} style={{ background: item.color }} />
          {item.label} {item.value}
        </span>
      ))}
    </>
  );
}

function keyList(keys: readonly string[]) {
  return keys.map((k, i) => (
    <span key={k}>
      {i > 0 ? ', ' : ''}
      <code>{k}</code>
    </span>
  ));
}

function MissingKeys({ what, keys, field, candidates }: { what: string; keys: readonly string[]; field: string; candidates: string[] }) {
  return (
    <span>
      No request in range carries a recognised {what} key ({keyList(keys)}), so there is nothing to chart — not zero. Map yours with{' '}
      <code>TRACEDECK_ATTRIBUTE_MAP={field}=&lt;key&gt;</code>
      {candidates.length > 0 ? <> (seen: {keyList(candidates)})</> : null}.
    </span>
  );
}

type Scope = DashboardData['scope'];

function Header({ scope, filter, restriction }: { scope: Scope; filter: FilterState; restriction: string[] }) {
  const listHref = traceListHref({ filter, restriction });
  const query = new URLSearchParams();
  if (filter.where) query.set('where', filter.where);
  if (filter.since) query.set('since', filter.since);
  if (filter.from) query.set('from', filter.from);
  if (filter.to) query.set('to', filter.to);
  const qs = query.toString() ? `?${query.toString()}` : '';
  return (
    <div className={styles.header}>
      {scope.kind === 'all' ? (
        <h1 className={styles.title}>Tenants</h1>
      ) : (
        <>
          <span className={styles.crumbs}>
            <a href={`/tenants${qs}`}>Tenants</a> /
          </span>
          <h1 className={styles.title}>
            {scope.kind === 'tenant' ? 'Tenant' : 'User'} <span className={styles.id}>{scope.id}</span>
          </h1>
        </>
      )}
      <span className={styles.headerLinks}>
        <a href={listHref} data-testid="open-traces">
          Open these traces →
        </a>
      </span>
    </div>
  );
}

export function Dashboard({ data }: { data: DashboardData }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [query, setQuery] = useQueryStates(urlState, { shallow: false, startTransition, history: 'push' });
  const { filter, restriction, main, scope } = data;

  const applyFilter = (next: FilterState) =>
    void setQuery({
      where: next.where || null,
      since: next.since === DEFAULT_DASHBOARD_SINCE && !next.from && !next.to ? null : next.since,
      from: next.from,
      to: next.to,
      minDur: next.minDuration,
      maxDur: next.maxDuration,
    });

  const whereError = data.error ? { message: data.error.message, column: data.error.column } : null;
  return (
    <div className={styles.page} data-testid="dashboard" aria-busy={pending} style={pending ? { opacity: 0.6, transition: 'opacity 120ms 150ms' } : undefined}>
      <Header scope={scope} filter={filter} restriction={restriction} />
      <FilterBar value={filter} onChange={applyFilter} tenantKey={data.tenantKey} showTenant={scope.kind === 'all'} whereError={whereError} />
      {data.error || !main ? (
        <div className={styles.error} data-testid="dashboard-error">
          {data.error?.message ?? 'no data'}
        </div>
      ) : (
        <Body data={data} main={main} estimates={query.est === '1'} onStack={(by) => void setQuery({ by })} onEstimates={(on) => void setQuery({ est: on ? '1' : null })} go={(href) => router.push(href)} />
      )}
    </div>
  );
}

function Body({
  data,
  main,
  estimates,
  onStack,
  onEstimates,
  go,
}: {
  data: DashboardData;
  main: MetricsResponse;
  estimates: boolean;
  onStack: (by: StackBy) => void;
  onEstimates: (on: boolean) => void;
  go: (href: string) => void;
}) {
  const { filter, restriction, mapping } = data;
  const { coverage, sampling, groups, buckets } = main;
  const sampled = sampling.sampled;
  const plotEstimates = sampled && estimates;
  const drillKeys = main.groupBy?.drillKeys ?? [];
  const noRequests = coverage.requests === 0;

  const open = (group: MetricsGroup | null, bucket: Pick<MetricsBucket, 'start' | 'end'> | null, extra: string | null = null) =>
    go(traceListHref({ filter, restriction, bucket, terms: [group ? groupTerm(drillKeys, group, groups) : null, extra] }));

  const barSeries = (pick: (v: MetricValues) => number | null | undefined): BarSeries[] =>
    groups.map((g, k) => ({ id: g.other ? '\u0000other' : (g.key ?? '\u0000none'), label: g.label, color: seriesColor(g, k), values: (g.series ?? []).map((v) => pick(v) ?? 0) }));
  const whole = { start: main.range.from, end: main.range.to };
  const est = (raw: (v: MetricValues) => number | null | undefined, weighted: (v: MetricValues) => number | null | undefined) => (plotEstimates ? weighted : raw);
  const totals = main.totals;
  const prefix = plotEstimates ? '≈ ' : '';
  const emptyNotice = noRequests ? 'No requests match this filter in this time range.' : null;

  const bars = (testId: string, title: string, pick: (v: MetricValues) => number | null | undefined, format: (n: number) => string, meta: string, notice: ReactNode, extra: string | null = null) => (
    <ChartPanel testId={testId} title={title} meta={meta} notice={notice}>
      <StackedBars
        buckets={buckets}
        bucketMs={main.bucket.ms}
        series={barSeries(pick)}
        format={format}
        integer={format !== fmtCostTick && !plotEstimates}
        onSelect={(k, i) => open(groups[k] ?? null, buckets[i] ?? null, extra)}
      />
    </ChartPanel>
  );

  return (
    <>
      <Tiles totals={totals} sampled={sampled} />
      <div className={styles.notes}>
        {sampled ? (
          <div className={`${styles.note} ${styles.sampled}`} data-testid="sampling-note">
            Sampled traffic: {fmtInt(sampling.weightedRequests)} of {fmtInt(coverage.requests)} stored requests stand for more than one (weights{' '}
            {sampling.minWeight === sampling.maxWeight ? `×${fmtCompact(sampling.maxWeight)}` : `×${fmtCompact(sampling.minWeight)}–×${fmtCompact(sampling.maxWeight)}`}). Figures marked ≈ are estimates
            (requests, errors, tokens and cost scaled by each request&apos;s adjusted count); the others are raw counts of what was stored. Percentiles are not weighted.
          </div>
        ) : null}
        {sampling.configError ? <div className={`${styles.note} ${styles.warn}`}>{sampling.configError} — the setting is ignored.</div> : null}
        {!noRequests && coverage.withModel === 0 ? (
          <div className={`${styles.note} ${styles.warn}`} data-testid="no-model-note">
            <MissingKeys what="model" keys={mapping.model} field="model" candidates={coverage.unmappedCandidates} />
          </div>
        ) : null}
      </div>

      <div className={styles.toolbar}>
        <span className={styles.toolbarLabel}>Stack by</span>
        <span className={styles.segmented} role="group" aria-label="Stack by">
          {data.stackOptions.map((option) => (
            <button key={option} type="button" aria-pressed={data.stackBy === option} onClick={() => onStack(option)} data-testid={`stack-${option}`}>
              {STACK_LABELS[option]}
            </button>
          ))}
        </span>
        {sampled ? (
          <label className={styles.check}>
            <input type="checkbox" checked={estimates} onChange={(e) => onEstimates(e.target.checked)} data-testid="plot-estimates" />
            plot estimates (≈)
          </label>
        ) : null}
        <span className={styles.spacer} />
        <span className={styles.hint}>
          {main.bucket.size} buckets{main.bucket.auto ? ' (auto)' : ''}, UTC · click a bar or point to open its requests
        </span>
      </div>

      <div className={styles.legend} data-testid="legend">
        {groups.map((g, k) => (
          <button key={g.other ? '\u0000other' : (g.key ?? '\u0000none')} type="button" className={styles.legendItem} onClick={() => open(g, whole)} title={`Open the ${g.label} requests`}>
            <span className={styles.swatch} style={{ background: seriesColor(g, k) }} />
            <span className={styles.legendLabel}>{g.label}</span>
            <span className={styles.legendCount}>{fmtCompact(plotEstimates ? g.totals.estimated.requests : g.totals.requests)}</span>
          </button>
        ))}
      </div>

      <div className={styles.grid}>
        {bars(
          'chart-requests',
          `${prefix}Requests by ${STACK_LABELS[data.stackBy]}`,
          est((v) => v.requests, (v) => v.estimated.requests),
          fmtCompact,
          plotEstimates ? `≈ ${fmtInt(totals.estimated.requests)} est. · ${fmtInt(totals.requests)} stored` : `${fmtInt(totals.requests)} total`,
          emptyNotice,
        )}
        {bars(
          'chart-errors',
          `${prefix}Errors (error span or 5xx)`,
          est((v) => v.errors, (v) => v.estimated.errors),
          fmtCompact,
          `${fmtInt(totals.errors)} · ${fmtPct(totals.errorRate)}${plotEstimates ? ` · ≈ ${fmtInt(totals.estimated.errors)} est.` : ''}`,
          emptyNotice,
          ERROR_TERM,
        )}
        <ChartPanel
          testId="chart-latency"
          title="Latency percentiles (whole request)"
          meta={
            <LineMeta
              items={[
                { label: 'p50', color: 'var(--p50)', value: fmtMs(totals.latencyP50Ms) },
                { label: 'p95', color: 'var(--p95)', value: fmtMs(totals.latencyP95Ms) },
                { label: 'p99', color: 'var(--p99)', value: fmtMs(totals.latencyP99Ms) },
              ]}
            />
          }
          notice={emptyNotice}
        >
          <PercentileLines
            buckets={buckets}
            bucketMs={main.bucket.ms}
            format={fmtMsTick}
            onSelect={(i) => open(null, buckets[i] ?? null)}
            lines={[
              { id: 'p50', label: 'p50', color: 'var(--p50)', values: (main.series ?? []).map((v) => v.latencyP50Ms ?? null) },
              { id: 'p95', label: 'p95', color: 'var(--p95)', values: (main.series ?? []).map((v) => v.latencyP95Ms ?? null) },
              { id: 'p99', label: 'p99', color: 'var(--p99)', values: (main.series ?? []).map((v) => v.latencyP99Ms ?? null) },
            ]}
          />
        </ChartPanel>
        <ChartPanel
          testId="chart-ttft"
          title="Time to first token"
          meta={
            <LineMeta
              items={[
                { label: 'p50', color: 'var(--p50)', value: fmtMs(totals.ttftP50Ms) },
                { label: 'p95', color: 'var(--p95)', value: fmtMs(totals.ttftP95Ms) },
                { label: 'of', color: 'transparent', value: `${fmtInt(coverage.withTtft)} streamed` },
              ]}
            />
          }
          notice={emptyNotice ?? (coverage.withTtft === 0 ? <MissingKeys what="time-to-first-token" keys={mapping.ttft} field="ttft_ms" candidates={[]} /> : null)}
        >
          <PercentileLines
            buckets={buckets}
            bucketMs={main.bucket.ms}
            format={fmtMsTick}
            onSelect={(i) => open(null, buckets[i] ?? null)}
            lines={[
              { id: 'ttft50', label: 'TTFT p50', color: 'var(--p50)', values: (main.series ?? []).map((v) => v.ttftP50Ms ?? null) },
              { id: 'ttft95', label: 'TTFT p95', color: 'var(--p95)', values: (main.series ?? []).map((v) => v.ttftP95Ms ?? null), dashed: true },
            ]}
          />
        </ChartPanel>
        {bars(
          'chart-tokens',
          `${prefix}Tokens by ${STACK_LABELS[data.stackBy]}`,
          est((v) => v.totalTokens, (v) => v.estimated.totalTokens),
          fmtCompact,
          plotEstimates ? `≈ ${fmtCompact(totals.estimated.totalTokens)} est. · ${fmtCompact(totals.totalTokens)} stored` : `${fmtCompact(totals.totalTokens)} total`,
          emptyNotice ?? (coverage.withTokens === 0 ? <MissingKeys what="token" keys={mapping.tokens} field="total_tokens" candidates={coverage.unmappedCandidates} /> : null),
        )}
        {bars(
          'chart-cost',
          `${prefix}Cost by ${STACK_LABELS[data.stackBy]}`,
          est((v) => v.costUsd, (v) => v.estimated.costUsd),
          fmtCostTick,
          plotEstimates ? `≈ ${fmtCost(totals.estimated.costUsd)} est. · ${fmtCost(totals.costUsd)} stored` : `${fmtCost(totals.costUsd)} total`,
          emptyNotice ?? (coverage.withCost === 0 ? <MissingKeys what="cost" keys={mapping.cost} field="cost_usd" candidates={coverage.unmappedCandidates} /> : null),
        )}
      </div>

      <Tables data={data} />
    </>
  );
}

function Tables({ data }: { data: DashboardData }) {
  const { scope, table, models, filter } = data;
  const pageQs = (() => {
    const p = new URLSearchParams();
    for (const k of ['where', 'since', 'from', 'to'] as const) if (filter[k]) p.set(k, filter[k] as string);
    if (filter.minDuration) p.set('minDur', filter.minDuration);
    if (filter.maxDuration) p.set('maxDur', filter.maxDuration);
    return p.toString() ? `?${p.toString()}` : '';
  })();
  const listFor = (response: MetricsResponse | null) => (g: MetricsGroup) =>
    response ? traceListHref({ filter, restriction: data.restriction, terms: [groupTerm(response.groupBy?.drillKeys ?? [], g, response.groups)] }) : null;
  if (scope.kind === 'all') {
    return (
      <div className={styles.tables}>
        <GroupTable
          className={styles.wide}
          testId="tenant-table"
          title="Tenants"
          keyHeader="Tenant"
          response={table}
          pageHref={(g) => (g.key !== null && !g.other ? `/tenants/${encodeURIComponent(g.key)}${pageQs}` : null)}
          listHref={listFor(table)}
          distinct="users"
        />
      </div>
    );
  }
  return (
    <div className={styles.tables}>
      <GroupTable
        testId={scope.kind === 'tenant' ? 'user-table' : 'session-table'}
        title={scope.kind === 'tenant' ? 'Top users' : 'Sessions of this user'}
        keyHeader={scope.kind === 'tenant' ? 'User' : 'Session'}
        response={table}
        pageHref={(g) => (scope.kind === 'tenant' && g.key !== null && !g.other ? `/users/${encodeURIComponent(g.key)}${pageQs}` : null)}
        listHref={listFor(table)}
        distinct={scope.kind === 'tenant' ? 'sessions' : 'seen'}
        compact
      />
      <GroupTable testId="model-table" title="Top models" keyHeader="Model" response={models} pageHref={() => null} listHref={listFor(models)} distinct={scope.kind === 'tenant' ? 'users' : null} compact />
      <TraceTable testId="slowest-traces" title="Slowest requests" traces={data.slowest} where={filter.where} />
      <TraceTable testId="failing-traces" title="Failing requests (error span or 5xx)" traces={data.failing} where={filter.where} />
    </div>
  );
}
