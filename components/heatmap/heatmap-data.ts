/**
 * Browser side of the heatmaps: the API URLs, a cell range → the brushed region the
 * differences endpoint takes, axis labels, and a fetch hook. Pure apart from the hook.
 */
import { useEffect, useState } from 'react';
import { type DifferencesResponse, type HeatmapField, type HeatmapResponse, Y_MAX, Y_MIN, yBucketLowMs } from '@/lib/query/heatmap';
import type { RangeQuery } from '@/components/filter-bar/data';

/** A brushed block of cells, inclusive: time buckets x0..x1, value buckets y0..y1 (x0 ≤ x1, y0 ≤ y1). */
export type CellBlock = { x0: number; x1: number; y0: number; y1: number };

export function heatmapUrl(field: HeatmapField, wheres: readonly string[], range: RangeQuery): string {
  const params = new URLSearchParams(wheres.map((w) => ['where', w]));
  for (const [k, v] of Object.entries(range)) if (v) params.set(k, v);
  params.set('field', field);
  return `/api/heatmap?${params}`;
}

/** The differences URL for a block of a heatmap answer: its time span clipped to the range, its value span (open at the clamped ends). */
export function differencesUrl(map: HeatmapResponse, wheres: readonly string[], block: CellBlock): string {
  const fromMs = Math.max(map.originMs + block.x0 * map.stepMs, Date.parse(map.range.from));
  const toMs = Math.min(map.originMs + (block.x1 + 1) * map.stepMs, Date.parse(map.range.to));
  const params = new URLSearchParams(wheres.map((w) => ['where', w]));
  params.set('from', map.range.from);
  params.set('to', map.range.to);
  params.set('field', map.field);
  params.set('selFrom', new Date(fromMs).toISOString());
  params.set('selTo', new Date(toMs).toISOString());
  if (block.y0 > Y_MIN) params.set('selMin', String(yBucketLowMs(block.y0)));
  if (block.y1 < Y_MAX) params.set('selMax', String(yBucketLowMs(block.y1 + 1)));
  return `/api/heatmap/differences?${params}`;
}

export function normalizeBlock(a: { x: number; y: number }, b: { x: number; y: number }): CellBlock {
  return { x0: Math.min(a.x, b.x), x1: Math.max(a.x, b.x), y0: Math.min(a.y, b.y), y1: Math.max(a.y, b.y) };
}

/** `71%`, `0.4%`. */
export function pct(share: number): string {
  const p = share * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;
}

type Loaded<T> = { url: string; data: T | null; error: string | null };

/** GET `url` as JSON (null: nothing to load); the last answer of another URL is dropped. */
export function useJson<T>(url: string | null): { data: T | null; error: string | null; loading: boolean } {
  const [loaded, setLoaded] = useState<Loaded<T> | null>(null);
  useEffect(() => {
    if (!url) return;
    const controller = new AbortController();
    fetch(url, { signal: controller.signal, headers: { accept: 'application/json' } })
      .then(async (res) => {
        const body = (await res.json().catch(() => null)) as (T & { error?: string }) | null;
        if (!res.ok) throw new Error(body?.error ?? `HTTP ${res.status}`);
        setLoaded({ url, data: body, error: null });
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setLoaded({ url, data: null, error: err instanceof Error ? err.message : String(err) });
      });
    return () => controller.abort();
  }, [url]);
  if (!url) return { data: null, error: null, loading: false };
  if (loaded?.url !== url) return { data: null, error: null, loading: true };
  return { data: loaded.data, error: loaded.error, loading: false };
}

export type { DifferencesResponse, HeatmapResponse };
