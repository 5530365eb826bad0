'use client';
/**
 * The trace list view. All of its state lives in the URL (where, time range,
 * duration bounds, sort, columns): changing it navigates, the server component
 * renders the first page, and "Load more" pages on with the API's keyset cursor.
 */
import { parseAsString, useQueryStates } from 'nuqs';
import { useRouter } from 'next/navigation';
import { useCallback, useMemo, useState, useTransition } from 'react';
import { FilterBar } from '@/components/filter-bar';
import { LatencyHeatmaps } from '@/components/heatmap/latency-heatmaps';
import { filterUrlParsers } from '@/components/filter-bar/url-state';
import type { TraceSummary } from '@/lib/trace/wire';
import { type FilterState, absolutize, effectiveWheres, rangeParams, toSearchParams } from '@/lib/filter-state';
import { traceHref } from '@/lib/links';
import { appendTerm } from '@/lib/where/edit';
import { ColumnPicker } from './column-picker';
import { DEFAULT_SINCE, type FirstPage } from './list-defaults';
import { COLUMN_LABELS, DEFAULT_HIDDEN_COLUMNS } from './columns';
import { CompareBar } from './compare-bar';
import { TraceTable } from './trace-table';
import tableStyles from '@/components/ui/table.module.css';
import styles from './trace-list.module.css';

const urlState = {
  ...filterUrlParsers,
  sort: parseAsString.withDefault('-start'),
  cols: parseAsString,
};

function visibilityFromParam(cols: string | null): Record<string, boolean> {
  const shown = cols ? new Set(cols.split(',')) : null;
  return Object.fromEntries(Object.keys(COLUMN_LABELS).map((id) => [id, shown ? shown.has(id) : !DEFAULT_HIDDEN_COLUMNS.includes(id)]));
}

function visibilityToParam(visible: Record<string, boolean>): string | null {
  const defaults = visibilityFromParam(null);
  if (Object.keys(COLUMN_LABELS).every((id) => (visible[id] !== false) === defaults[id])) return null;
  return Object.keys(COLUMN_LABELS)
    .filter((id) => visible[id] !== false)
    .join(',');
}

export function TraceExplorer({ firstPage, tenantKey, pageKey }: { firstPage: FirstPage; tenantKey: string; pageKey: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [query, setQuery] = useQueryStates(urlState, { shallow: false, startTransition, history: 'push' });

  const filter: FilterState = {
    where: query.where,
    since: query.since ?? (query.from || query.to ? null : DEFAULT_SINCE),
    from: query.from,
    to: query.to,
    minDuration: query.minDur,
    maxDuration: query.maxDur,
  };
  const visibility = useMemo(() => visibilityFromParam(query.cols), [query.cols]);

  const applyFilter = (next: FilterState) =>
    void setQuery({
      where: next.where || null,
      since: next.since === DEFAULT_SINCE && !next.from && !next.to ? null : next.since,
      from: next.from,
      to: next.to,
      minDur: next.minDuration,
      maxDur: next.maxDuration,
    });

  const addFilter = useCallback(
    (key: string, value: string, negate: boolean) => void setQuery({ where: appendTerm(query.where, key, negate ? '!=' : '=', value) }),
    [query.where, setQuery],
  );

  const openTrace = useCallback(
    (trace: TraceSummary, newTab: boolean) => {
      const href = traceHref(trace, { where: query.where || undefined });
      if (newTab) window.open(href, '_blank');
      else router.push(href);
    },
    [query.where, router],
  );

  const [copied, setCopied] = useState<string | null>(null);
  const copyLink = async () => {
    // Relative ranges become absolute so the link shows the same traces later.
    const params = toSearchParams(absolutize(filter, Date.now()));
    if (query.sort !== '-start') params.set('sort', query.sort);
    if (query.cols) params.set('cols', query.cols);
    const link = `${window.location.origin}/?${params.toString()}`;
    setCopied(link);
    await navigator.clipboard?.writeText(link).catch(() => {});
  };

  return (
    <>
      <FilterBar value={filter} onChange={applyFilter} tenantKey={tenantKey} whereError={firstPage.error?.source === 'where' ? firstPage.error : null} />
      <div className={styles.toolbar}>
        <span className={styles.status} data-testid="list-status" aria-live="polite">
          {pending ? 'Loading…' : firstPage.error ? '' : `${firstPage.traces.length}${firstPage.nextCursor ? '+' : ''} traces`}
        </span>
        <span className={styles.spacer} />
        {copied ? (
          <input className={styles.shareInput} readOnly value={copied} aria-label="shared link" data-testid="share-link" onFocus={(e) => e.target.select()} />
        ) : null}
        {copied ? <span className={styles.copied}>Link copied</span> : null}
        <button type="button" className={styles.button} onClick={copyLink} data-testid="copy-link">
          Copy link
        </button>
        <ColumnPicker visible={visibility} onChange={(next) => void setQuery({ cols: visibilityToParam(next) })} />
      </div>
      {firstPage.error ? null : (
        <LatencyHeatmaps wheres={effectiveWheres(filter)} range={rangeParams(filter)} onAddTerm={(key, value) => addFilter(key, value, false)} />
      )}
      <TraceResults
        key={pageKey}
        firstPage={firstPage}
        pending={pending}
        filter={filter}
        sort={query.sort}
        tenantKey={tenantKey}
        visibility={visibility}
        onSortChange={(sort) => void setQuery({ sort: sort === '-start' ? null : sort })}
        addFilter={addFilter}
        onOpen={openTrace}
      />
    </>
  );
}

type ResultsProps = {
  firstPage: FirstPage;
  pending: boolean;
  filter: FilterState;
  sort: string;
  tenantKey: string;
  visibility: Record<string, boolean>;
  onSortChange: (sort: string) => void;
  addFilter: (key: string, value: string, negate: boolean) => void;
  onOpen: (trace: TraceSummary, newTab: boolean) => void;
};

/** The rows of one query: the server's first page plus pages loaded with the cursor. Re-keyed per query, so state resets. */
function TraceResults({ firstPage, pending, filter, sort, tenantKey, visibility, onSortChange, addFilter, onOpen }: ResultsProps) {
  const [rows, setRows] = useState(firstPage.traces);
  const [cursor, setCursor] = useState(firstPage.nextCursor);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  // Keeps the last two ticked: a third tick replaces the oldest, so "Compare" always has a pair.
  const toggleSelected = useCallback(
    (traceId: string) => setSelected((ids) => (ids.includes(traceId) ? ids.filter((id) => id !== traceId) : [...ids, traceId].slice(-2))),
    [],
  );
  const selectedSet = useMemo(() => new Set(selected), [selected]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    setLoadError(null);
    const params = new URLSearchParams();
    for (const w of effectiveWheres(filter)) params.append('where', w);
    if (filter.from) params.set('from', filter.from);
    if (filter.to) params.set('to', filter.to);
    if (filter.since && !filter.from) params.set('since', filter.since);
    params.set('sort', sort);
    params.set('cursor', cursor);
    params.set('limit', '50');
    try {
      const res = await fetch(`/api/traces?${params.toString()}`);
      const body = (await res.json()) as { traces?: TraceSummary[]; nextCursor?: string | null; error?: string };
      if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
      setRows((r) => [...r, ...(body.traces ?? [])]);
      setCursor(body.nextCursor ?? null);
    } catch (err) {
      setLoadError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  };

  if (firstPage.error) {
    return (
      <div className={`${tableStyles.wrap} ${styles.tableWrap}`}>
        <div className={styles.error} data-testid="list-error">
          {firstPage.error.message}
        </div>
      </div>
    );
  }
  return (
    <div className={`${tableStyles.wrap} ${styles.tableWrap} ${pending ? styles.pending : ''}`} aria-busy={pending}>
      {rows.length === 0 ? (
        <div className={styles.empty} data-testid="list-empty">
          No traces match this filter in this time range.
        </div>
      ) : (
        <>
          <CompareBar selected={selected} onClear={() => setSelected([])} />
          <TraceTable
            traces={rows}
            selected={selectedSet}
            onToggleSelected={toggleSelected}
            tenantKey={tenantKey}
            columnVisibility={visibility}
            sort={sort}
            onSortChange={onSortChange}
            addFilter={addFilter}
            onOpen={onOpen}
          />
        </>
      )}
      {cursor || loadError ? (
        <div className={styles.footer}>
          {loadError ? <span className={styles.errorText}>{loadError}</span> : null}
          {cursor ? (
            <button type="button" className={styles.button} onClick={loadMore} disabled={loading} data-testid="load-more">
              {loading ? 'Loading…' : 'Load more'}
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
