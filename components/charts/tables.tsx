'use client';
/** Tables of the chart pages: totals per group (tenants, users, sessions, models) and lists of requests. */
import type { TraceSummary } from '@/lib/trace/wire';
import { traceHref } from '@/lib/links';
import type { MetricsGroup, MetricsResponse } from '@/lib/metrics/types';
import styles from './charts.module.css';
import { fmtCompact, fmtCost, fmtInt, fmtMs, fmtNs, fmtPct } from './format';

type GroupTableProps = {
  testId: string;
  title: string;
  keyHeader: string;
  response: MetricsResponse | null;
  /** The group's own page (tenant, user), or null. */
  pageHref: (g: MetricsGroup) => string | null;
  /** The trace list filtered to the group, or null. */
  listHref: (g: MetricsGroup) => string | null;
  /** Last column: distinct users, distinct sessions, last seen, or none. */
  distinct: 'users' | 'sessions' | 'seen' | null;
  compact?: boolean;
  className?: string;
};

export function GroupTable({ testId, title, keyHeader, response, pageHref, listHref, distinct, compact = false, className }: GroupTableProps) {
  const groups = response?.groups ?? [];
  const sampled = response?.sampling.sampled ?? false;
  const rateClass = (r: number | null | undefined) => (r !== null && r !== undefined && r >= 0.1 ? styles.bad : r && r >= 0.03 ? styles.warn : undefined);
  return (
    <div className={`${styles.tableWrap} ${className ?? ''}`}>
      <div className={styles.tableTitle}>
        {title}
        <span className={styles.panelMeta}>
          {groups.length} {groups.length === 1 ? 'row' : 'rows'}
          {sampled ? ' · ≈ marks sampling estimates' : ''}
        </span>
      </div>
      {groups.length === 0 ? (
        <div className={styles.emptyRow}>No requests in this range.</div>
      ) : (
        <table className={`${styles.table} ${compact ? styles.compact : ''}`} data-testid={testId}>
          <thead>
            <tr>
              <th>{keyHeader}</th>
              <th className={styles.num}>Requests</th>
              {sampled && !compact ? (
                <th className={styles.num} title="Estimated requests (sampling-weighted)">
                  ≈ Requests
                </th>
              ) : null}
              {compact ? null : <th className={styles.num}>Errors</th>}
              <th className={styles.num}>Error rate</th>
              {compact ? null : <th className={styles.num}>4xx</th>}
              {compact ? null : <th className={styles.num}>p50</th>}
              <th className={styles.num}>p95</th>
              {compact ? null : <th className={styles.num}>TTFT p95</th>}
              <th className={styles.num}>Tokens</th>
              {sampled && !compact ? <th className={styles.num}>≈ Tokens</th> : null}
              <th className={styles.num}>Cost</th>
              {sampled && !compact ? <th className={styles.num}>≈ Cost</th> : null}
              {distinct ? <th className={styles.num}>{distinct === 'users' ? 'Users' : distinct === 'sessions' ? 'Sessions' : 'Last seen'}</th> : null}
              {compact ? null : <th aria-label="traces" />}
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => {
              const t = g.totals;
              const page = pageHref(g);
              const list = listHref(g);
              return (
                <tr key={g.other ? '\u0000other' : (g.key ?? '\u0000none')} data-group={g.other ? '' : (g.key ?? '')} data-other={g.other ? 'true' : undefined}>
                  <td>
                    <span className={styles.nameCell}>
                      {page ? (
                        <a href={page} className={styles.mono} data-testid="group-link">
                          {g.label}
                        </a>
                      ) : (
                        <span className={g.other || g.key === null ? styles.muted : styles.mono}>{g.label}</span>
                      )}
                    </span>
                  </td>
                  <td className={styles.num} data-column="requests">
                    {compact && list ? (
                      <a href={list} title="Open these requests in the trace list">
                        {fmtInt(t.requests)}
                      </a>
                    ) : (
                      fmtInt(t.requests)
                    )}
                    {sampled && compact ? (
                      <span className={styles.inlineEstimate} title="Estimated requests (sampling-weighted)">
                        ≈{fmtCompact(t.estimated.requests)}
                      </span>
                    ) : null}
                  </td>
                  {sampled && !compact ? (
                    <td className={styles.num} data-column="est-requests">
                      ≈ {fmtInt(t.estimated.requests)}
                    </td>
                  ) : null}
                  {compact ? null : (
                    <td className={styles.num} data-column="errors">
                      {fmtInt(t.errors)}
                    </td>
                  )}
                  <td className={`${styles.num} ${rateClass(t.errorRate) ?? ''}`} data-column="error-rate">
                    {fmtPct(t.errorRate)}
                  </td>
                  {compact ? null : <td className={styles.num}>{fmtInt(t.clientErrors)}</td>}
                  {compact ? null : <td className={styles.num}>{fmtMs(t.latencyP50Ms)}</td>}
                  <td className={styles.num} data-column="p95">
                    {fmtMs(t.latencyP95Ms)}
                  </td>
                  {compact ? null : <td className={styles.num}>{fmtMs(t.ttftP95Ms)}</td>}
                  <td className={styles.num} data-column="tokens" data-value={t.totalTokens}>
                    {fmtCompact(t.totalTokens)}
                  </td>
                  {sampled && !compact ? <td className={styles.num}>≈ {fmtCompact(t.estimated.totalTokens)}</td> : null}
                  <td className={styles.num} data-column="cost" data-value={t.costUsd}>
                    {fmtCost(t.costUsd)}
                  </td>
                  {sampled && !compact ? <td className={styles.num}>≈ {fmtCost(t.estimated.costUsd)}</td> : null}
                  {distinct ? (
                    <td className={styles.num} data-column={distinct}>
                      {distinct === 'users' ? fmtInt(t.users) : distinct === 'sessions' ? fmtInt(t.sessions) : fmtNs(t.lastNs).slice(5, 16)}
                    </td>
                  ) : null}
                  {compact ? null : <td className={styles.num}>{list ? <a href={list}>traces →</a> : null}</td>}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function TraceTable({ testId, title, traces, where }: { testId: string; title: string; traces: TraceSummary[]; where: string }) {
  return (
    <div className={styles.tableWrap}>
      <div className={styles.tableTitle}>{title}</div>
      {traces.length === 0 ? (
        <div className={styles.emptyRow}>None in this range.</div>
      ) : (
        <table className={`${styles.table} ${styles.compact}`} data-testid={testId}>
          <thead>
            <tr>
              <th>Start (UTC)</th>
              <th>Trace</th>
              <th className={styles.num}>Status</th>
              <th className={styles.num}>Duration</th>
              <th>Model</th>
              <th className={styles.num}>Cost</th>
            </tr>
          </thead>
          <tbody>
            {traces.map((t) => {
              const failed = t.errorCount > 0 || (t.httpStatusCode ?? 0) >= 500;
              return (
                <tr key={`${t.tenantId}/${t.traceId}`}>
                  <td className={styles.muted}>{fmtNs(t.startTimeUnixNano).slice(5)}</td>
                  <td>
                    <a className={styles.mono} href={traceHref(t, { where: where || undefined })} data-testid="trace-link" title={t.rootName ?? undefined}>
                      {t.traceId.slice(0, 8)}
                    </a>
                  </td>
                  <td className={`${styles.num} ${failed ? styles.bad : (t.httpStatusCode ?? 0) >= 400 ? styles.warn : ''}`}>{t.httpStatusCode ?? (t.errorCount ? 'error' : '–')}</td>
                  <td className={styles.num}>{fmtMs(t.durationMs)}</td>
                  <td>
                    <span className={`${styles.mono} ${styles.truncate}`}>{t.llmModel ?? '–'}</span>
                  </td>
                  <td className={styles.num}>{fmtCost(t.costUsd)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
