'use client';
/**
 * Polls GET /api/live every `intervalMs` while the tab is visible: the next request is
 * sent when the previous answer is in (never two at once), nothing is sent while the tab
 * is hidden (document.visibilityState), and a poll runs as soon as it is shown again.
 */
import { useEffect, useState } from 'react';
import type { LiveSnapshot } from '@/lib/live/types';

export type LiveState = {
  data: LiveSnapshot | null;
  error: { message: string; column?: number } | null;
  /** Answers received for the current query (for the "updated" line and tests). */
  polls: number;
  updatedAt: number | null;
  paused: boolean;
};

const INITIAL: LiveState = { data: null, error: null, polls: 0, updatedAt: null, paused: false };

export function useLiveSnapshot(query: string, intervalMs = 2000): LiveState {
  const [state, setState] = useState<LiveState>(INITIAL);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let inFlight: AbortController | null = null;
    let stopped = false;
    const hidden = () => document.visibilityState === 'hidden';

    const poll = async () => {
      timer = null;
      if (stopped || hidden() || inFlight) return;
      inFlight = new AbortController();
      try {
        const res = await fetch(`/api/live?${query}`, { signal: inFlight.signal, headers: { accept: 'application/json' } });
        const body = (await res.json()) as LiveSnapshot & { error?: string; column?: number };
        setState((s) =>
          res.ok
            ? { data: body, error: null, polls: s.polls + 1, updatedAt: Date.now(), paused: false }
            : { ...s, error: { message: body.error ?? `HTTP ${res.status}`, column: body.column }, polls: s.polls + 1 },
        );
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, error: { message: `cannot reach the server (${err instanceof Error ? err.message : String(err)})` } }));
      } finally {
        inFlight = null;
      }
      if (!stopped && !hidden()) timer = setTimeout(poll, intervalMs);
    };

    const onVisibility = () => {
      setState((s) => ({ ...s, paused: hidden() }));
      if (!hidden() && !timer && !inFlight) void poll();
    };

    void poll();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      inFlight?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [query, intervalMs]);
  return state;
}
