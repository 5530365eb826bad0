'use client';
/**
 * Tables of the chart pages: totals per group (tenants, users, sessions, models), their
 * figure columns laid out from the metric registry (lib/metrics/registry.ts), and lists
 * of requests.
 */
import type { TraceSummary } from '@/lib/trace/wire';
import { traceHref } from '@/lib/links';
import { estimateOf, figureOf } from '@/lib/metrics/figures';
import { type ColumnSpec, METRICS, fieldInfo } from '@/lib/metrics/registry';
import type { MetricsGroup, MetricsResponse } from '@/lib/metrics/types';
import tableStyles from '@/components/ui/table.module.css';
import styles from './charts.module.css';
import { UNIT_FORMATS, fmtCompact, fmtInt, fmtMs, fmtNs } from './format';
import { costText } from '@/lib/pricing/label';
import { costTitle } from './cost-source';

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

const rateClass = (r: number | null | undefined) => (r !== null && r !== undefined && r >= 0.1 ? styles.bad : r && r >= 0.03 ? styles.warn : undefined);

/** The registry's table columns: all of them in wide tables, the `narrow` ones in compact tables. */
function figureColumns(compact: boolean): ColumnSpec[] {
  return METRICS.flatMap((m) => m.dashboard.columns ?? []).filter((c) => !compact || c.narrow);
}

/** A column's header, and its "≈" twin's when it has one. */
function FigureHeaders({ column, withEstimate }: { column: ColumnSpec; withEstimate: boolean }) {
  return (
    <>
      <th className={styles.num}>{column.header}</th>
      {withEstimate ? (
        <th className={styles.num} title={`Estimated ${column.header.toLowerCase()} (sampling-weighted)`}>
          ≈ {column.header}
        </th>
      ) : null}
    </>
  );
}

type FigureCellsProps = { column: ColumnSpec; totals: MetricsGroup['totals']; withEstimate: boolean; compact: boolean; sampled: boolean; list: string | null };

/** A column's cell (a link and an inline estimate for the headline figure of a compact table), and its "≈" twin's. */
function FigureCells({ column, totals, withEstimate, compact, sampled, list }: FigureCellsProps) {
  const { measure, unit } = fieldInfo(column.field);
  const format = UNIT_FORMATS[unit].cell;
  const value = figureOf(totals, column.field);
  const estimate = measure.estimate ? estimateOf(totals, measure.estimate) : undefined;
  const headline = compact && column.headline;
  // Requests whose model has no price: counted beside the known cost, or alone when nothing is priced (never "$0" or "–").
  const unpriced = column.field === 'costUsd' ? (totals.unpricedRequests ?? 0) : 0;
  const unpricedOnly = unpriced > 0 && (value === null || value === undefined);
  return (
    <>
      <td
        className={`${styles.num} ${column.alarm ? (rateClass(value) ?? '') : ''}`}
        data-column={column.id}
        data-value={column.rawValue ? value : undefined}
        {...(column.field === 'costUsd' && totals.costSource !== undefined ? { title: costTitle(totals), 'data-source': totals.costSource ?? '' } : {})}
      >
        {unpricedOnly ? null : headline && list ? (
          <a href={list} title="Open these requests in the trace list">
            {format(value)}
          </a>
        ) : (
          format(value)
        )}
        {unpriced > 0 ? (
          <span className={styles.warnText}>
            {unpricedOnly ? '' : ' +'}
            {unpriced} unpriced
          </span>
        ) : null}
        {headline && sampled ? (
          <span className={styles.inlineEstimate} title="Estimated requests (sampling-weighted)">
            ≈{fmtCompact(estimate)}
          </span>
        ) : null}
      </td>
      {withEstimate ? (
        <td className={styles.num} data-column={`est-${column.id}`}>
          ≈ {format(estimate)}
        </td>
      ) : null}
    </>
  );
}

export function GroupTable({ testId, title, keyHeader, response, pageHref, listHref, distinct, compact = false, className }: GroupTableProps) {
  const groups = response?.groups ?? [];
  const sampled = response?.sampling.sampled ?? false;
  const columns = figureColumns(compact);
  const twin = (c: ColumnSpec) => Boolean(sampled && !compact && c.withEstimate);
  return (
    <div className={`${tableStyles.wrap} ${styles.tableWrap} ${className ?? ''}`}>
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
        <table className={`${tableStyles.table} ${tableStyles.oneLine} ${styles.table} ${compact ? styles.compact : ''}`} data-testid={testId}>
          <thead>
            <tr>
              <th>{keyHeader}</th>
              {columns.map((c) => (
                <FigureHeaders key={c.id} column={c} withEstimate={twin(c)} />
              ))}
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
                  {columns.map((c) => (
                    <FigureCells key={c.id} column={c} totals={t} withEstimate={twin(c)} compact={compact} sampled={sampled} list={list} />
                  ))}
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
    <div className={`${tableStyles.wrap} ${styles.tableWrap}`}>
      <div className={styles.tableTitle}>{title}</div>
      {traces.length === 0 ? (
        <div className={styles.emptyRow}>None in this range.</div>
      ) : (
        <table className={`${tableStyles.table} ${tableStyles.oneLine} ${styles.table} ${styles.compact}`} data-testid={testId}>
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
                  <td className={`${styles.num} ${failed ? styles.bad : (t.httpStatusCode ?? 0) >= 400 ? styles.warn : ''}`}>
                    {t.httpStatusCode ?? (t.errorCount ? 'error' : '–')}
                  </td>
                  <td className={styles.num}>{fmtMs(t.durationMs)}</td>
                  <td>
                    <span className={`${styles.mono} ${styles.truncate}`}>{t.llmModel ?? '–'}</span>
                  </td>
                  <td className={styles.num} data-source={t.cost?.source ?? ''}>
                    {costText(t.cost)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
