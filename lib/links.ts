/**
 * Links between views. A trace link carries the trace's own time window, so it
 * keeps working (and the back link shows the right range) after the default
 * "last 24h" has moved on — the way Grafana's span links break.
 */
const NS_PER_MS = 1_000_000n;
/** Margin around the trace's own bounds, so the list behind the link shows its neighbours. */
const WINDOW_MARGIN_MS = 5 * 60_000;

export function traceWindow(startNs: string, endNs: string): { from: string; to: string } {
  const startMs = Number(BigInt(startNs) / NS_PER_MS);
  const endMs = Number(BigInt(endNs) / NS_PER_MS) + 1;
  return { from: new Date(startMs - WINDOW_MARGIN_MS).toISOString(), to: new Date(endMs + WINDOW_MARGIN_MS).toISOString() };
}

export function traceHref(
  trace: { traceId: string; startTimeUnixNano: string; endTimeUnixNano: string },
  opts: { where?: string; spanId?: string; foldInternal?: boolean } = {},
): string {
  const params = new URLSearchParams();
  if (opts.where) params.set('where', opts.where);
  const { from, to } = traceWindow(trace.startTimeUnixNano, trace.endTimeUnixNano);
  params.set('from', from);
  params.set('to', to);
  if (opts.spanId) params.set('span', opts.spanId);
  if (opts.foldInternal) params.set('fold', 'true');
  return `/traces/${trace.traceId}?${params.toString()}`;
}

/** The comparison of two traces (`/compare`), A first. */
export function compareHref(a: string, b: string): string {
  return `/compare?${new URLSearchParams({ a, b }).toString()}`;
}
