'use client';
/**
 * /sessions: one row per session (tenant × session key) in the filter bar's range —
 * id, tenant, users, first and last seen, turns, tokens, cost with its source, errors and
 * p95 TTFT. The filter, range and sort live in the URL; a change re-renders the page on
 * the server (nuqs, shallow: false), which reads through the same service as the API.
 */
import { parseAsString, useQueryStates } from 'nuqs';
import { useTransition } from 'react';
import { FilterBar } from '@/components/filter-bar';
import { filterUrlParsers } from '@/components/filter-bar/url-state';
import type { FilterState } from '@/lib/filter-state';
import { NONE, fmtCount, fmtMs, totalCostShort } from '@/lib/live/format';
import { sessionHref } from '@/lib/sessions/links';
import { DEFAULT_SESSION_SORT, type SessionList, type SessionSortKey, formatSessionSort, parseSessionSort } from '@/lib/sessions/types';
import frame from '@/components/ui/page.module.css';
import styles from './sessions.module.css';

export const DEFAULT_SESSIONS_SINCE = '24h';

const urlState = { ...filterUrlParsers, sort: parseAsString };

const COLUMNS: { key: SessionSortKey; label: string; num?: boolean; firstDesc?: boolean }[] = [
  { key: 'session', label: 'session' },
  { key: 'tenant', label: 'tenant' },
  { key: 'user', label: 'user' },
  { key: 'first', label: 'first seen', firstDesc: true },
  { key: 'last', label: 'last seen', firstDesc: true },
  { key: 'turns', label: 'turns', num: true, firstDesc: true },
  { key: 'tokens', label: 'tokens in / out', num: true, firstDesc: true },
  { key: 'cost', label: 'cost', num: true, firstDesc: true },
  { key: 'errors', label: 'errors', num: true, firstDesc: true },
  { key: 'ttft', label: 'TTFT p95', num: true, firstDesc: true },
];

/** `2026-12-07 20:41:48` (UTC, as the trace list shows times). */
const when = (iso: string) => iso.slice(0, 19).replace('T', ' ');

export type SessionListData = { list: SessionList | null; error: { message: string; column?: number } | null; tenantKey: string; showTenant: boolean };

export function SessionListView({ data }: { data: SessionListData }) {
  const [pending, startTransition] = useTransition();
  const [query, setQuery] = useQueryStates(urlState, { shallow: false, startTransition, history: 'push' });
  const sort = parseSessionSort(query.sort) ?? DEFAULT_SESSION_SORT;
  const filter: FilterState = {
    where: query.where,
    since: query.since ?? (query.from || query.to ? null : DEFAULT_SESSIONS_SINCE),
    from: query.from,
    to: query.to,
    minDuration: query.minDur,
    maxDuration: query.maxDur,
  };
  const applyFilter = (next: FilterState) =>
    void setQuery({
      where: next.where || null,
      since: next.since === DEFAULT_SESSIONS_SINCE && !next.from && !next.to ? null : next.since,
      from: next.from,
      to: next.to,
      minDur: next.minDuration,
      maxDur: next.maxDuration,
    });
  const sortBy = (key: SessionSortKey, firstDesc = false) => {
    const direction = sort.key === key ? (sort.direction === 'desc' ? 'asc' : 'desc') : firstDesc ? 'desc' : 'asc';
    const next = formatSessionSort({ key, direction });
    void setQuery({ sort: next === formatSessionSort(DEFAULT_SESSION_SORT) ? null : next });
  };
  const whereError = data.error?.column !== undefined ? { message: data.error.message, column: data.error.column } : null;
  const sessions = data.list?.sessions ?? [];
  return (
    <div className={frame.page} data-testid="sessions-view" aria-busy={pending}>
      <div className={frame.header}>
        <h1 className={frame.title}>Sessions</h1>
        <span className={frame.headerNote}>
          keyed by the first of {data.list?.sessionKeys.join(', ') ?? 'the session keys'} on any span
          {data.list?.truncated ? ` · first ${sessions.length} shown` : ''}
        </span>
      </div>
      <FilterBar value={filter} onChange={applyFilter} tenantKey={data.tenantKey} showTenant={data.showTenant} whereError={whereError} />
      {data.error && !whereError ? (
        <div className={styles.error} data-testid="sessions-error">
          {data.error.message}
        </div>
      ) : null}
      {/* data-sort is the URL's sort, which leads during a transition; data-rows-sort is the one the rows were read with. */}
      <table className="data" data-testid="session-table" data-sort={formatSessionSort(sort)} data-rows-sort={data.list?.sort}>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                className={c.num ? 'num' : undefined}
                aria-sort={sort.key === c.key ? (sort.direction === 'desc' ? 'descending' : 'ascending') : undefined}
              >
                <button type="button" className={styles.sort} data-testid={`sort-${c.key}`} onClick={() => sortBy(c.key, c.firstDesc)}>
                  {c.label}
                  {sort.key === c.key ? (sort.direction === 'desc' ? ' ↓' : ' ↑') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sessions.length === 0 ? (
            <tr>
              <td colSpan={COLUMNS.length} className="muted">
                No sessions in this range.
              </td>
            </tr>
          ) : null}
          {sessions.map((s) => (
            <tr key={`${s.tenantId}/${s.sessionId}`} data-session={s.sessionId} data-tenant={s.tenantId}>
              <td className="mono">
                <a href={sessionHref(s, data.tenantKey)}>{s.sessionId}</a>
              </td>
              <td>{s.tenantId}</td>
              <td>{s.users.length > 0 ? s.users.join(', ') : NONE}</td>
              <td className="mono">{when(s.firstSeen)}</td>
              <td className="mono">{when(s.lastSeen)}</td>
              <td className="num" data-column="turns">
                {fmtCount(s.turns)}
              </td>
              <td className="num" data-column="tokens">
                {fmtCount(s.inputTokens)} / {fmtCount(s.outputTokens)}
              </td>
              <td className="num" data-column="cost" data-source={s.cost.source ?? ''}>
                {totalCostShort({ ...s.cost, unpriced: [] })}
              </td>
              <td className={`num ${s.errors > 0 ? 'error-text' : ''}`} data-column="errors">
                {fmtCount(s.errors)}
              </td>
              <td className="num" data-column="ttft">
                {fmtMs(s.ttftP95Ms)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
