import Link from 'next/link';
import type { TraceSummary } from '@/db/queries/rows';
import { formatDurationMs, formatTimestamp } from '@/lib/format';

export function TraceListTable({ traces }: { traces: TraceSummary[] }) {
  if (traces.length === 0) return <div className="empty">No traces match this filter and time range.</div>;
  return (
    <table className="data" data-testid="trace-table">
      <thead>
        <tr>
          <th>Start</th>
          <th>Trace</th>
          <th>Root</th>
          <th>Duration</th>
          <th>Spans</th>
          <th>Errors</th>
          <th>HTTP</th>
          <th>Tenant</th>
          <th>User</th>
          <th>Model</th>
          <th>Tokens</th>
          <th>Cost</th>
        </tr>
      </thead>
      <tbody>
        {traces.map((t) => (
          <tr key={`${t.tenantId}/${t.traceId}`} data-trace-id={t.traceId}>
            <td className="mono">{formatTimestamp(t.startTimeUnixNano)}</td>
            <td className="mono">
              <Link href={`/traces/${t.traceId}`}>{t.traceId.slice(0, 8)}</Link>
            </td>
            <td>
              <span className="muted">{t.rootService ?? '?'}</span> {t.rootName ?? <em className="muted">(root not received)</em>}
            </td>
            <td className="num">{formatDurationMs(t.durationMs)}</td>
            <td className="num">{t.spanCount}</td>
            <td className={`num ${t.errorCount ? 'error-text' : ''}`}>{t.errorCount}</td>
            <td className={`num ${t.httpStatusCode && t.httpStatusCode >= 500 ? 'error-text' : ''}`}>{t.httpStatusCode ?? ''}</td>
            <td>{t.tenantId}</td>
            <td>{t.userId ?? ''}</td>
            <td>{t.llmModel ?? ''}</td>
            <td className="num">{t.totalTokens ?? ''}</td>
            <td className="num">{t.costUsd === null ? '' : `$${t.costUsd.toFixed(4)}`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
