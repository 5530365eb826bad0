'use client';
/**
 * /explore: an aggregate query, its range and step live in the URL (`q`, `since` |
 * `from`/`to`, `step`); changing one navigates and the server renders the answer
 * (app/explore/page.tsx). The answer shows as a chart and a table; a group row (or
 * bar) opens the trace list filtered by that group over its range (lib/query/drill.ts).
 */
import { parseAsString, useQueryStates } from 'nuqs';
import { useRouter } from 'next/navigation';
import { useMemo, useTransition } from 'react';
import { TimeRangePicker } from '@/components/filter-bar/time-range-picker';
import filterStyles from '@/components/filter-bar/filter-bar.module.css';
import chartStyles from '@/components/charts/charts.module.css';
import { rangeParams } from '@/lib/filter-state';
import { rowTraceListHref } from '@/lib/query/drill';
import { addQueryTerm, queryFilterText } from '@/lib/query/edit-query';
import { LatencyHeatmaps } from '@/components/heatmap/latency-heatmaps';
import type { ExploreResult } from '@/lib/query/response';
import styles from './explore.module.css';
import { QueryBox } from './query-box';
import { ResultChart } from './result-chart';
import { ResultTable } from './result-table';

const DEFAULT_SINCE = '24h';
const STEPS = ['', 'auto', '1m', '5m', '15m', '1h', '1d'];
const EXAMPLES = [
  '| by(tenant.id) count(), p95(duration)',
  'http.status_code>=500 | by(llm.model) count()',
  '| by(llm.model) p95(ttft), sum(tokens)',
  '| spans by(service) count(), p99(duration)',
];

const urlState = { q: parseAsString.withDefault(''), since: parseAsString, from: parseAsString, to: parseAsString, step: parseAsString };

export function QueryExplorer({ result, pageKey }: { result: ExploreResult; pageKey: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [state, setState] = useQueryStates(urlState, { shallow: false, startTransition, history: 'push' });
  const since = state.since ?? (state.from || state.to ? null : DEFAULT_SINCE);
  const range = useMemo(() => rangeParams({ since, from: state.from, to: state.to }), [since, state.from, state.to]);
  const queryError = result.kind === 'error' && result.column !== null ? { message: result.message, column: result.column, length: result.length ?? 1 } : null;
  const open = (href: string) => router.push(href);

  return (
    <div className={`${chartStyles.page} ${styles.page}`} data-testid="explore">
      <div className={filterStyles.bar} role="search" aria-label="Aggregate query">
        <QueryBox value={state.q} onApply={(q) => void setState({ q: q || null })} range={range} serverError={queryError} />
        <div className={filterStyles.controls}>
          <TimeRangePicker
            since={since}
            from={state.from}
            to={state.to}
            onChange={(r) => void setState({ since: r.since === DEFAULT_SINCE && !r.from && !r.to ? null : r.since, from: r.from, to: r.to })}
          />
          <label className={styles.step}>
            step
            <select value={state.step ?? ''} onChange={(e) => void setState({ step: e.target.value || null })} data-testid="explore-step">
              {STEPS.map((s) => (
                <option key={s} value={s}>
                  {s === '' ? 'none' : s}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <div key={pageKey} className={pending ? styles.pending : ''} aria-busy={pending}>
        <Result result={result} pending={pending} onOpen={open} onExample={(q) => void setState({ q })} />
      </div>
      {result.kind === 'answer' ? (
        <LatencyHeatmaps
          wheres={[queryFilterText(result.answer.query) ?? '']}
          range={range}
          onAddTerm={(key, value) => {
            const q = addQueryTerm(state.q, key, value);
            if (q) void setState({ q });
          }}
        />
      ) : null}
    </div>
  );
}

function Result({
  result,
  pending,
  onOpen,
  onExample,
}: {
  result: ExploreResult;
  pending: boolean;
  onOpen: (href: string) => void;
  onExample: (q: string) => void;
}) {
  if (result.kind === 'empty') {
    return (
      <div className={styles.empty} data-testid="explore-empty">
        <p>Type a filter, then `|` and aggregates. For example:</p>
        <ul>
          {EXAMPLES.map((q) => (
            <li key={q}>
              <button type="button" className={styles.example} onClick={() => onExample(q)}>
                {q}
              </button>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  if (result.kind === 'error') {
    return (
      <div className={styles.error} data-testid="explore-error">
        {result.message}
      </div>
    );
  }
  const { answer } = result;
  const hrefOf = (row: number) => rowTraceListHref(answer, row);
  return (
    <>
      <div className={styles.status} data-testid="explore-status" aria-live="polite">
        {pending
          ? 'Loading…'
          : `${answer.rows.length} rows · ${answer.unit === 'spans' ? 'spans' : 'requests'} · source: ${answer.source} · ${answer.queryMs} ms${answer.step ? ` · step ${answer.step}` : ''}${
              answer.cost?.unpricedRequests ? ` · ${answer.cost.unpricedRequests} requests without a price left out of cost` : ''
            }`}
      </div>
      <ResultChart answer={answer} hrefOf={hrefOf} onOpen={onOpen} />
      <ResultTable answer={answer} hrefOf={hrefOf} onOpen={onOpen} />
    </>
  );
}
