'use client';
/**
 * The chart pages' view: filter bar, totals with sampling estimates, stacked
 * charts per tenant / model / user / session, percentile lines, and tables — the
 * tiles, charts and table columns laid out from the metric registry
 * (lib/metrics/registry.ts), in its order.
 * All state is in the URL (the filter bar's fields, `by`, `est`); changing it
 * navigates and the server renders the new figures. A click on a bar or point
 * opens the trace list filtered to that bucket and group.
 */
import { parseAsString, useQueryStates } from 'nuqs';
import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { FilterBar } from '@/components/filter-bar';
import { filterUrlParsers } from '@/components/filter-bar/url-state';
import { type DashboardData, DEFAULT_DASHBOARD_SINCE, type StackBy } from '@/lib/metrics/scope';
import type { FilterState } from '@/lib/filter-state';
import { groupTerm, traceListHref } from '@/lib/metrics/links';
import { METRICS } from '@/lib/metrics/registry';
import type { MetricsGroup, MetricsResponse } from '@/lib/metrics/types';
import { BarsPanel } from './bars-panel';
import styles from './charts.module.css';
import { fmtCompact, fmtInt } from './format';
import { MissingKeys } from './missing-keys';
import type { PanelContext } from './panel-context';
import { PercentilePanel } from './percentile-panel';
import { SummaryTiles } from './summary-tiles';
import { GroupTable, TraceTable } from './tables';
import { seriesColor } from './time-charts';

const urlState = {
  ...filterUrlParsers,
  by: parseAsString,
  est: parseAsString,
};

const STACK_LABELS: Record<StackBy, string> = { tenant: 'tenant', model: 'model', user: 'user', session: 'session' };

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
        <Body
          data={data}
          main={main}
          estimates={query.est === '1'}
          onStack={(by) => void setQuery({ by })}
          onEstimates={(on) => void setQuery({ est: on ? '1' : null })}
          go={(href) => router.push(href)}
        />
      )}
    </div>
  );
}

type BodyProps = {
  data: DashboardData;
  main: MetricsResponse;
  estimates: boolean;
  onStack: (by: StackBy) => void;
  onEstimates: (on: boolean) => void;
  go: (href: string) => void;
};

function Body({ data, main, estimates, onStack, onEstimates, go }: BodyProps) {
  const { filter, restriction } = data;
  const { groups } = main;
  const sampled = main.sampling.sampled;
  const drillKeys = main.groupBy?.drillKeys ?? [];
  const ctx: PanelContext = {
    main,
    mapping: data.mapping,
    plotEstimates: sampled && estimates,
    stackLabel: STACK_LABELS[data.stackBy],
    emptyNotice: main.coverage.requests === 0 ? 'No requests match this filter in this time range.' : null,
    open: (group, bucket, extra = null) =>
      go(traceListHref({ filter, restriction, bucket, terms: [group ? groupTerm(drillKeys, group, groups) : null, extra] })),
  };
  return (
    <>
      <SummaryTiles totals={main.totals} sampled={sampled} />
      <Notes data={data} main={main} />
      <Toolbar data={data} main={main} estimates={estimates} onStack={onStack} onEstimates={onEstimates} />
      <Legend ctx={ctx} />
      <div className={styles.grid}>
        {METRICS.map(({ name, dashboard: { chart } }) =>
          chart?.kind === 'bars' ? (
            <BarsPanel key={name} spec={chart} ctx={ctx} />
          ) : chart?.kind === 'percentiles' ? (
            <PercentilePanel key={name} spec={chart} ctx={ctx} />
          ) : null,
        )}
      </div>
      <Tables data={data} />
    </>
  );
}

/** Sampling, a sampling setting that does not parse, and no model key at all. */
function Notes({ data, main }: { data: DashboardData; main: MetricsResponse }) {
  const { coverage, sampling } = main;
  return (
    <div className={styles.notes}>
      {sampling.sampled ? (
        <div className={`${styles.note} ${styles.sampled}`} data-testid="sampling-note">
          Sampled traffic: {fmtInt(sampling.weightedRequests)} of {fmtInt(coverage.requests)} stored requests stand for more than one (weights{' '}
          {sampling.minWeight === sampling.maxWeight
            ? `×${fmtCompact(sampling.maxWeight)}`
            : `×${fmtCompact(sampling.minWeight)}–×${fmtCompact(sampling.maxWeight)}`}
          ). Figures marked ≈ are estimates (requests, errors, tokens and cost scaled by each request&apos;s adjusted count); the others are raw counts of what
          was stored. Percentiles are not weighted.
        </div>
      ) : null}
      {main.cost?.note ? (
        <div className={`${styles.note} ${styles.warn}`} data-testid="unpriced-note">
          {main.cost.note} — not counted in the cost (add them to TRACEDECK_PRICES).
        </div>
      ) : null}
      {main.cost?.pricesError ? <div className={`${styles.note} ${styles.warn}`}>{main.cost.pricesError} — priced from the bundled catalog only.</div> : null}
      {sampling.configError ? <div className={`${styles.note} ${styles.warn}`}>{sampling.configError} — the setting is ignored.</div> : null}
      {coverage.requests > 0 && coverage.withModel === 0 ? (
        <div className={`${styles.note} ${styles.warn}`} data-testid="no-model-note">
          <MissingKeys what="model" keys={data.mapping.model} field="model" candidates={coverage.unmappedCandidates} />
        </div>
      ) : null}
    </div>
  );
}

function Toolbar({ data, main, estimates, onStack, onEstimates }: Omit<BodyProps, 'go'>) {
  return (
    <div className={styles.toolbar}>
      <span className={styles.toolbarLabel}>Stack by</span>
      <span className={styles.segmented} role="group" aria-label="Stack by">
        {data.stackOptions.map((option) => (
          <button key={option} type="button" aria-pressed={data.stackBy === option} onClick={() => onStack(option)} data-testid={`stack-${option}`}>
            {STACK_LABELS[option]}
          </button>
        ))}
      </span>
      {main.sampling.sampled ? (
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
  );
}

/** The groups with their request counts; a click opens a group's requests over the whole range. */
function Legend({ ctx }: { ctx: PanelContext }) {
  const { main, plotEstimates } = ctx;
  const whole = { start: main.range.from, end: main.range.to };
  return (
    <div className={styles.legend} data-testid="legend">
      {main.groups.map((g: MetricsGroup, k) => (
        <button
          key={g.other ? '\u0000other' : (g.key ?? '\u0000none')}
          type="button"
          className={styles.legendItem}
          onClick={() => ctx.open(g, whole)}
          title={`Open the ${g.label} requests`}
        >
          <span className={styles.swatch} style={{ background: seriesColor(g, k) }} />
          <span className={styles.legendLabel}>{g.label}</span>
          <span className={styles.legendCount}>{fmtCompact(plotEstimates ? g.totals.estimated.requests : g.totals.requests)}</span>
        </button>
      ))}
    </div>
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
      <GroupTable
        testId="model-table"
        title="Top models"
        keyHeader="Model"
        response={models}
        pageHref={() => null}
        listHref={listFor(models)}
        distinct={scope.kind === 'tenant' ? 'users' : null}
        compact
      />
      <TraceTable testId="slowest-traces" title="Slowest requests" traces={data.slowest} where={filter.where} />
      <TraceTable testId="failing-traces" title="Failing requests (error span or 5xx)" traces={data.failing} where={filter.where} />
    </div>
  );
}
