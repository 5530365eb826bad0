/** Trace page: every span of one trace, nested by parent, with offsets from the trace start. */
import { notFound, redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { getTrace } from '@/db/queries/get-trace';
import type { StoredSpan } from '@/db/queries/rows';
import { SPAN_KIND_NAMES, STATUS_NAMES, formatDurationMs, formatTimestamp } from '@/lib/format';
import { anyValueText } from '@/lib/enrich/promoted-columns';

export const dynamic = 'force-dynamic';

type Row = { span: StoredSpan; depth: number; orphan: boolean };

/** Depth-first order by parent id; spans whose parent never arrived become roots, marked. */
function spanTree(spans: StoredSpan[]): Row[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, StoredSpan[]>();
  const roots: StoredSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else roots.push(s);
  }
  const rows: Row[] = [];
  const stack: Row[] = roots.reverse().map((span) => ({ span, depth: 0, orphan: span.parentSpanId !== null }));
  while (stack.length) {
    const row = stack.pop() as Row;
    rows.push(row);
    const kids = children.get(row.span.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: row.depth + 1, orphan: false });
  }
  return rows;
}

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  if (!/^[0-9a-fA-F]{8}$|^[0-9a-fA-F]{32}$/.test(traceId)) notFound();
  const result = await getTrace(await getDb(), { traceId });
  if (result.status === 'not_found') notFound();
  if (result.status === 'ambiguous') {
    return <div className="empty">Short id {traceId} matches several traces: {result.candidates.join(', ')}</div>;
  }
  if (result.traceId !== traceId) redirect(`/traces/${result.traceId}`);
  const rows = spanTree(result.spans);
  const start = rows.reduce((min, r) => (BigInt(r.span.startTimeUnixNano) < min ? BigInt(r.span.startTimeUnixNano) : min), BigInt(rows[0].span.startTimeUnixNano));
  return (
    <>
      <h2 className="mono">Trace {result.traceId}</h2>
      <p className="muted">
        {formatTimestamp(start.toString())} UTC · {rows.length} spans · tenant {result.summaries.map((s) => s.tenantId || '(none)').join(', ')}
      </p>
      <table className="data" data-testid="span-table">
        <thead>
          <tr>
            <th>Span</th>
            <th>Service</th>
            <th>Kind</th>
            <th>Offset</th>
            <th>Duration</th>
            <th>Status</th>
            <th>Attributes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ span, depth, orphan }) => (
            <tr key={span.spanId} data-span-id={span.spanId}>
              <td style={{ paddingLeft: 10 + depth * 18 }}>
                {span.name}
                {orphan ? <span className="muted"> (parent missing)</span> : null}
              </td>
              <td>{span.service}</td>
              <td>{SPAN_KIND_NAMES[span.kind] ?? span.kind}</td>
              <td className="num">{formatDurationMs(Number(BigInt(span.startTimeUnixNano) - start) / 1e6)}</td>
              <td className="num">{formatDurationMs(span.durationMs)}</td>
              <td className={span.status.code === 2 ? 'error-text' : ''}>
                {STATUS_NAMES[span.status.code] ?? span.status.code}
                {span.status.message ? `: ${span.status.message}` : ''}
              </td>
              <td className="mono" style={{ whiteSpace: 'normal' }}>
                {Object.entries(span.attributes)
                  .map(([k, v]) => `${k}=${anyValueText(v) ?? JSON.stringify(v)}`)
                  .join('  ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
