/** Display formatting shared by pages and the CLI. */

export function formatDurationMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)}µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(0)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  return `${(ms / 60_000).toFixed(1)}m`;
}

/** Epoch nanoseconds (decimal string) → "YYYY-MM-DD HH:MM:SS.mmm" in UTC. */
export function formatTimestamp(ns: string): string {
  const ms = Number(BigInt(ns) / 1_000_000n);
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export const SPAN_KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
export const STATUS_NAMES = ['unset', 'ok', 'error'] as const;
