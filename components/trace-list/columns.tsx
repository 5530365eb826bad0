/** Column definitions of the trace table (TanStack Table v9). Cells that show an attribute value are click-to-filter. */
import { createColumnHelper, tableFeatures, columnVisibilityFeature } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import type { TraceSummary } from '@/lib/trace/wire';
import { formatDurationMs, formatTimestamp } from '@/lib/format';
import styles from './trace-list.module.css';
import { costText, fmtUsd } from '@/lib/pricing/label';

export const tableFeatureSet = tableFeatures({ columnVisibilityFeature });
const helper = createColumnHelper<typeof tableFeatureSet, TraceSummary>();

/** Adds `key op value` to the filter (op is '=' or, with shift, '!='). */
export type AddFilter = (key: string, value: string, negate: boolean) => void;

export type ColumnContext = { addFilter: AddFilter; tenantKey: string; maxDurationMs: number };

function FilterValue({ k, value, ctx, children }: { k: string; value: string | number | null; ctx: ColumnContext; children?: ReactNode }) {
  if (value === null || value === '') return null;
  return (
    <button
      type="button"
      className={styles.attr}
      title={`Click: ${k}=${value} · Shift-click: ${k}!=${value}`}
      data-filter-key={k}
      onClick={(e) => {
        e.stopPropagation();
        ctx.addFilter(k, String(value), e.shiftKey);
      }}
    >
      {children ?? value}
    </button>
  );
}

/** Column ids in display order, with labels for the column picker. */
export const COLUMN_LABELS: Record<string, string> = {
  start: 'Start (UTC)',
  trace: 'Trace',
  root: 'Root span',
  duration: 'Duration',
  spans: 'Spans',
  errors: 'Errors',
  http: 'HTTP',
  tenant: 'Tenant',
  user: 'User',
  session: 'Session',
  model: 'Model',
  tokens: 'Tokens',
  cost: 'Cost',
};

export const DEFAULT_HIDDEN_COLUMNS = ['session'];

/** Columns the server can sort by, and their sort keys. */
export const SORTABLE: Record<string, 'start' | 'duration' | 'cost'> = { start: 'start', duration: 'duration', cost: 'cost' };

export function traceColumns(ctx: ColumnContext) {
  return helper.columns([
    helper.accessor('startTimeUnixNano', {
      id: 'start',
      header: COLUMN_LABELS.start,
      cell: (c) => (
        <span className={styles.mono} title={formatTimestamp(c.getValue())}>
          {formatTimestamp(c.getValue()).slice(5)}
        </span>
      ),
    }),
    helper.accessor('traceId', { id: 'trace', header: COLUMN_LABELS.trace, cell: (c) => <span className={styles.mono}>{c.getValue().slice(0, 8)}</span> }),
    helper.display({
      id: 'root',
      header: COLUMN_LABELS.root,
      cell: ({ row }) => (
        <span className={styles.root}>
          <FilterValue k="service" value={row.original.rootService} ctx={ctx} />{' '}
          {row.original.rootName ?? <em className={styles.muted}>root span not received</em>}
        </span>
      ),
    }),
    helper.accessor('durationMs', {
      id: 'duration',
      header: COLUMN_LABELS.duration,
      cell: (c) => (
        <span className={styles.duration}>
          <span className={styles.durationTrack}>
            <span className={styles.durationBar} style={{ width: `${Math.max(3, (c.getValue() / Math.max(ctx.maxDurationMs, 1e-9)) * 100)}%` }} />
          </span>
          <span className={styles.durationText}>{formatDurationMs(c.getValue())}</span>
        </span>
      ),
    }),
    helper.accessor('spanCount', { id: 'spans', header: COLUMN_LABELS.spans, cell: (c) => <span className={styles.num}>{c.getValue()}</span> }),
    helper.accessor('errorCount', {
      id: 'errors',
      header: COLUMN_LABELS.errors,
      cell: (c) => <span className={`${styles.num} ${c.getValue() > 0 ? styles.errorText : styles.muted}`}>{c.getValue()}</span>,
    }),
    helper.accessor('httpStatusCode', {
      id: 'http',
      header: COLUMN_LABELS.http,
      cell: (c) => {
        const v = c.getValue();
        const cls = v === null ? '' : v >= 500 ? styles.errorText : v >= 400 ? styles.warnText : '';
        return (
          <span className={cls}>
            <FilterValue k="http.status_code" value={v} ctx={ctx} />
          </span>
        );
      },
    }),
    helper.accessor('tenantId', { id: 'tenant', header: COLUMN_LABELS.tenant, cell: (c) => <FilterValue k={ctx.tenantKey} value={c.getValue()} ctx={ctx} /> }),
    helper.accessor('userId', { id: 'user', header: COLUMN_LABELS.user, cell: (c) => <FilterValue k="user.id" value={c.getValue()} ctx={ctx} /> }),
    helper.accessor('sessionId', { id: 'session', header: COLUMN_LABELS.session, cell: (c) => <FilterValue k="session.id" value={c.getValue()} ctx={ctx} /> }),
    helper.accessor('llmModel', { id: 'model', header: COLUMN_LABELS.model, cell: (c) => <FilterValue k="llm.model" value={c.getValue()} ctx={ctx} /> }),
    helper.accessor('totalTokens', {
      id: 'tokens',
      header: COLUMN_LABELS.tokens,
      cell: (c) => <span className={styles.num}>{c.getValue()?.toLocaleString('en-US') ?? ''}</span>,
    }),
    helper.accessor('costUsd', {
      id: 'cost',
      header: COLUMN_LABELS.cost,
      // The cost with its source: reported by the gateway, computed from the price book, or no price (never $0).
      cell: (c) => {
        const cost = c.row.original.cost;
        if (!cost) return <span className={styles.num} />;
        return (
          <span className={styles.num} data-testid="trace-cost" data-source={cost.source} title={costText(cost)}>
            {cost.usd === null ? 'no price' : fmtUsd(cost.usd)}
            <span className={styles.costSource}>{cost.source === 'reported' ? ' rep' : cost.source === 'computed' ? ' calc' : ''}</span>
          </span>
        );
      },
    }),
  ]);
}
