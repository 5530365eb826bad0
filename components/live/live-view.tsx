'use client';
/**
 * /live: the gateway's traffic right now, like `planoai obs` — the latest request, totals,
 * the last error, by model, route share with routing strategies and fallbacks, and the
 * newest requests — over a window of 5 min, 1 h or 24 h. The filter bar (where, tenant,
 * duration bounds) and the window live in the URL; the figures are polled from
 * GET /api/live every 2 s while the tab is visible, without reloading the page.
 */
import { parseAsString, useQueryStates } from 'nuqs';
import { FilterBar } from '@/components/filter-bar';
import { filterUrlParsers } from '@/components/filter-bar/url-state';
import { type FilterState, effectiveWheres } from '@/lib/filter-state';
import { DEFAULT_LIVE_SINCE, LIVE_WINDOWS } from '@/lib/live/window';
import { LatestPanel, LastErrorBanner, TotalsPanel } from './live-summary';
import { ModelTable, RecentTable, RouteTable, StrategyTable } from './live-tables';
import frame from '@/components/ui/page.module.css';
import styles from './live.module.css';
import { useLiveSnapshot } from './use-live-snapshot';

const urlState = { where: filterUrlParsers.where, since: parseAsString.withDefault(DEFAULT_LIVE_SINCE), minDur: parseAsString, maxDur: parseAsString };

export const POLL_MS = 2000;

function WindowButtons({ since, onChange }: { since: string; onChange: (since: string) => void }) {
  return (
    <div className={styles.windows} role="group" aria-label="Window">
      {LIVE_WINDOWS.map((w) => (
        <button
          key={w.since}
          type="button"
          className={w.since === since ? styles.windowOn : styles.window}
          aria-pressed={w.since === since}
          data-testid={`live-window-${w.since}`}
          onClick={() => onChange(w.since)}
        >
          {w.label}
        </button>
      ))}
    </div>
  );
}

export function LiveView({ tenantKey }: { tenantKey: string }) {
  const [query, setQuery] = useQueryStates(urlState, { history: 'replace' });
  const filter: FilterState = { where: query.where, since: query.since, from: null, to: null, minDuration: query.minDur, maxDuration: query.maxDur };
  const params = new URLSearchParams();
  for (const w of effectiveWheres(filter)) params.append('where', w);
  params.set('since', query.since);
  const live = useLiveSnapshot(params.toString(), POLL_MS);
  const { data } = live;

  const applyFilter = (next: FilterState) => void setQuery({ where: next.where || null, minDur: next.minDuration, maxDur: next.maxDuration });
  const whereError = live.error?.column !== undefined ? { message: live.error.message, column: live.error.column } : null;
  return (
    <div className={frame.page} data-testid="live-view" data-polls={live.polls} data-paused={live.paused}>
      <div className={frame.header}>
        <h1 className={frame.title}>Live traffic</h1>
        <span className={frame.headerNote} data-testid="live-status">
          {live.paused
            ? 'paused while the tab is hidden'
            : live.updatedAt
              ? `updated ${new Date(live.updatedAt).toLocaleTimeString('en-GB')} · every ${POLL_MS / 1000} s`
              : 'loading…'}
          {data ? ` · ${data.queryMs} ms` : ''}
        </span>
      </div>
      <FilterBar
        value={filter}
        onChange={applyFilter}
        tenantKey={tenantKey}
        whereError={whereError}
        rangeControl={<WindowButtons since={query.since} onChange={(since) => void setQuery({ since: since === DEFAULT_LIVE_SINCE ? null : since })} />}
      />
      {live.error && !whereError ? (
        <div className={styles.error} data-testid="live-error">
          {live.error.message}
        </div>
      ) : null}
      {data ? (
        <>
          <div className={styles.summary}>
            <LatestPanel call={data.recent[0] ?? null} />
            <TotalsPanel data={data} />
          </div>
          {data.lastError ? <LastErrorBanner call={data.lastError} nowMs={Date.parse(data.window.to)} /> : null}
          {data.unpricedNote ? (
            <div className={styles.note} data-testid="live-unpriced-note">
              {data.unpricedNote} — not counted in the cost (add them to TRACEDECK_PRICES).
            </div>
          ) : null}
          {data.pricesError ? <div className={styles.note}>{data.pricesError} — priced from the bundled catalog only.</div> : null}
          <ModelTable rows={data.models} />
          <div className={styles.grid}>
            <RouteTable rows={data.routes} />
            <StrategyTable rows={data.strategies} />
          </div>
          <RecentTable calls={data.recent} />
        </>
      ) : null}
    </div>
  );
}
