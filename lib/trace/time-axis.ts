/** Time axis of the waterfall: "nice" tick steps (1, 2, 5 × 10^k ns) and compact labels. */

/** Tick positions (ns from the trace start) for a trace of `durationNs`, about `target` of them, starting at 0. */
export function axisTicks(durationNs: number, target = 6): { step: number; ticks: number[] } {
  if (!(durationNs > 0)) return { step: 0, ticks: [0] };
  const raw = durationNs / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let t = 0; t <= durationNs + step * 1e-9; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  return { step, ticks };
}

const UNITS: [number, string][] = [
  [60e9, 'm'],
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

/**
 * Label of a tick, in the unit that suits the whole axis (`spanNs`, the last tick),
 * with just enough decimals to tell ticks `step` apart: "0", "250ms", "1.5s".
 */
export function formatTick(ns: number, step: number, spanNs: number = step): string {
  if (ns === 0) return '0';
  const [scale, unit] = UNITS.find(([s]) => Math.max(spanNs, step) >= s) ?? [1, 'ns'];
  let decimals = 0;
  const inUnit = step / scale;
  while (decimals < 3 && Math.abs(Math.round(inUnit * 10 ** decimals) - inUnit * 10 ** decimals) > 1e-6) decimals++;
  return `${(ns / scale).toFixed(decimals)}${unit}`;
}

/** A duration in ns, compact, for bars and lists: 850ns, 12.3µs, 4.56ms, 120ms, 2.35s, 1.2m. */
export function formatNs(ns: number): string {
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${Math.round(ns)}ns`;
  if (abs < 1e6) return `${trim(ns / 1e3)}µs`;
  if (abs < 1e9) return `${trim(ns / 1e6)}ms`;
  if (abs < 60e9) return `${(ns / 1e9).toFixed(2)}s`;
  return `${(ns / 60e9).toFixed(1)}m`;
}

function trim(v: number): string {
  const a = Math.abs(v);
  return a < 10 ? v.toFixed(2) : a < 100 ? v.toFixed(1) : v.toFixed(0);
}
