/**
 * The heatmaps' shared shapes (GET /api/heatmap and /api/heatmap/differences, the UI):
 * which value a heatmap plots, its log buckets, and the two answers. Pure.
 */

/** `duration`: the request's duration; `ttft`: its time to first token (requests with LLM spans). */
export type HeatmapField = 'duration' | 'ttft';
export const HEATMAP_FIELDS: readonly HeatmapField[] = ['duration', 'ttft'];

/** y buckets per doubling: bucket y holds values in [2^(y/2), 2^((y+1)/2)) ms (√2 steps, as the rollups' histograms). */
export const Y_STEPS_PER_DOUBLING = 2;
/** Lowest and highest y bucket: values below 2^-5 ms (~31 µs) and from 2^25 ms (~9 h) on are clamped into them. */
export const Y_MIN = -10;
export const Y_MAX = 50;

/** Lower bound (ms) of y bucket `y`. */
export function yBucketLowMs(y: number): number {
  return 2 ** (y / Y_STEPS_PER_DOUBLING);
}

/** The y bucket of a value in ms (the SQL computes the same). */
export function yBucketOf(ms: number): number {
  const y = Math.floor(Math.log2(Math.max(ms, 1e-9)) * Y_STEPS_PER_DOUBLING);
  return Math.min(Math.max(y, Y_MIN), Y_MAX);
}

export type HeatmapResponse = {
  field: HeatmapField;
  range: { from: string; to: string };
  /** Time buckets: bucket x starts at originMs + x × stepMs (clipped to the range); `xCount` of them. */
  step: string;
  stepMs: number;
  originMs: number;
  xCount: number;
  /** Non-empty cells: [x, y, requests]. */
  cells: [number, number, number][];
  /** Requests plotted (those with the field). */
  total: number;
  queryMs: number;
};

export type DifferenceValue = {
  key: string;
  value: string;
  /** Requests carrying the value in the selection / the rest (of those read). */
  selected: number;
  rest: number;
  selectedShare: number;
  restShare: number;
};

export type DifferencesResponse = {
  field: HeatmapField;
  /** The brushed region echoed: start times [from, to), values [minMs, maxMs) (null: open). */
  selection: { from: string; to: string; minMs: number | null; maxMs: number | null };
  range: { from: string; to: string };
  selectedTotal: number;
  restTotal: number;
  /** The share of each side read (1: all; less: a sample by trace id, shares are estimates). */
  selectedSampled: number;
  restSampled: number;
  values: DifferenceValue[];
  queryMs: number;
};
