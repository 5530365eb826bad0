/** A live request's link to its trace page (with the trace's own time window). */
import { traceHref } from '@/lib/links';
import type { LiveCall } from '@/lib/live/types';

export function callHref(call: LiveCall): string {
  const endNs = BigInt(call.startTimeUnixNano) + BigInt(Math.round(call.latencyMs * 1e6));
  return traceHref({ traceId: call.traceId, startTimeUnixNano: call.startTimeUnixNano, endTimeUnixNano: endNs.toString() });
}

/** HH:MM:SS (UTC, as the trace list shows times). */
export function clockTime(startNs: string): string {
  return new Date(Number(BigInt(startNs) / 1_000_000n)).toISOString().slice(11, 19);
}
