/** Number formats of the chart pages (fixed locale and UTC, so server and browser render the same text). */
import { formatDurationMs } from '@/lib/format';
import type { Unit } from '@/lib/metrics/registry';

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });

export const fmtInt = (n: number | null | undefined) => (n === null || n === undefined ? '–' : INT.format(n));

/** 1234 → 1.2K; small numbers as they are. */
export const fmtCompact = (n: number | null | undefined) => (n === null || n === undefined ? '–' : Math.abs(n) < 10_000 ? INT.format(n) : COMPACT.format(n));

export function fmtCost(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  if (n === 0) return '$0';
  const abs = Math.abs(n);
  if (abs >= 1000) return `$${INT.format(n)}`;
  if (abs >= 1) return `$${n.toFixed(2)}`;
  if (abs >= 0.01) return `$${n.toFixed(3)}`;
  return `$${n.toPrecision(2)}`;
}

export const fmtPct = (r: number | null | undefined) => (r === null || r === undefined ? '–' : `${(r * 100).toFixed(r > 0 && r < 0.001 ? 2 : 1)}%`);

/** Like formatDurationMs, but 999.6ms reads 1.00s, not 1000ms. */
export const fmtMs = (ms: number | null | undefined) => (ms === null || ms === undefined ? '–' : formatDurationMs(ms >= 999.5 && ms < 1000 ? 1000 : ms));

/** Duration with 3 significant digits: 394ms, 5.34s, 30.0s, 2.50m. */
export function fmtMsShort(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (Number(ms.toPrecision(3)) < 1000) return `${Number(ms.toPrecision(3))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toPrecision(3)}s`;
  return `${(ms / 60_000).toPrecision(3)}m`;
}

/** Cost axis ticks: two significant digits. */
export const fmtCostTick = (n: number) => (n === 0 ? '$0' : `$${Number(n.toPrecision(2))}`);

/** Axis tick of a bucket start (UTC): HH:MM within a day, else MM-DD (and HH:MM for sub-day buckets). */
export function fmtTick(ms: number, bucketMs: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  const hm = iso.slice(11, 16);
  const md = iso.slice(5, 10);
  if (bucketMs >= 86_400_000) return md;
  if (spanMs > 86_400_000) return hm === '00:00' ? md : `${md} ${hm}`;
  return hm;
}

/** Full bucket label for tooltips: `2025-01-02 10:05–10:10 UTC`. */
export function fmtBucket(startIso: string, endIso: string): string {
  const s = startIso.replace('T', ' ').slice(0, 16);
  const e = endIso.slice(0, 10) === startIso.slice(0, 10) ? endIso.slice(11, 16) : endIso.replace('T', ' ').slice(0, 16);
  return `${s}–${e} UTC`;
}

/** Epoch ns (decimal) → `2025-01-02 10:05:03 UTC`. */
export function fmtNs(ns: string | null): string {
  if (!ns) return '–';
  return `${new Date(Number(BigInt(ns) / 1_000_000n)).toISOString().replace('T', ' ').slice(0, 19)}`;
}

/** Short duration for axis ticks: 0, 250ms, 1.5s, 32s, 2m. */
export function fmtMsTick(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))}s`;
  return `${Number((ms / 60_000).toFixed(1))}m`;
}

type Format = (n: number | null | undefined) => string;

/** How a registry unit (or a rate) reads: in a headline (tiles, chart meta), a table cell, and on an axis. */
export type UnitFormats = { headline: Format; cell: Format; axis: (n: number) => string };

const counts: UnitFormats = { headline: fmtInt, cell: fmtInt, axis: fmtCompact };

export const UNIT_FORMATS: Record<Unit | 'ratio', UnitFormats> = {
  requests: counts,
  users: counts,
  sessions: counts,
  tokens: { headline: fmtCompact, cell: fmtCompact, axis: fmtCompact },
  usd: { headline: fmtCost, cell: fmtCost, axis: fmtCostTick },
  ms: { headline: fmtMsShort, cell: fmtMs, axis: fmtMsTick },
  ratio: { headline: fmtPct, cell: fmtPct, axis: fmtPct },
};
