/**
 * Facts about the workload a server was loaded with, asked of its own API: where
 * the data ends (read windows end there, not at "now": the workload's week ends on
 * 2026-11-20), and real ids to filter on. The ids come from the data rather than
 * from replaying the generator, so they exist whatever the scale.
 */
import type { TraceSummary } from '../lib/trace/wire';
import { TENANTS } from './plano-workload';
import { getJson } from './support';

export type LoadedData = {
  /** End of the data (exclusive), ISO; windows are [end - 24h, end) and [end - 7d, end). */
  end: string;
  /** The biggest tenant (Zipf rank 1) and one of its users. */
  busyTenant: string;
  busyUser: string;
  /** A user of the smallest tenant present: a value a few traces carry, searched across all tenants. */
  rareUser: string;
  rareTenant: string;
};

const DAY_MS = 86_400_000;

async function newest(url: string, where: string[]): Promise<TraceSummary | null> {
  const qs = new URLSearchParams(where.map((w) => ['where', w]));
  qs.set('limit', '1');
  const page = await getJson<{ traces: TraceSummary[] }>(`${url}/api/traces?${qs}`);
  return page.traces[0] ?? null;
}

export async function loadedData(url: string): Promise<LoadedData> {
  const last = await newest(url, []);
  if (!last) throw new Error(`${url} holds no traces: load the workload first (npm run bench:ingest)`);
  // Up to the next whole minute after the newest trace start, so the windows read as round times.
  const endMs = Math.ceil((Number(BigInt(last.startTimeUnixNano) / 1_000_000n) + 1) / 60_000) * 60_000;
  const busyTenant = TENANTS[0];
  const busy = await newest(url, [`tenant.id=${busyTenant}`]);
  if (!busy?.userId) throw new Error(`no trace of ${busyTenant} with a user: is this the Plano-like workload?`);
  for (const tenant of [...TENANTS].reverse()) {
    const rare = await newest(url, [`tenant.id=${tenant}`]);
    if (rare?.userId) return { end: new Date(endMs).toISOString(), busyTenant, busyUser: busy.userId, rareUser: rare.userId, rareTenant: tenant };
  }
  throw new Error('unreachable: the busy tenant has a user');
}

/** `from`/`to` parameters of a window of `days` ending at the data's end ('all': no range). */
export function windowParams(data: LoadedData, window: 'all' | '1h' | '24h' | '7d'): Record<string, string> {
  if (window === 'all') return {};
  const ms = { '1h': DAY_MS / 24, '24h': DAY_MS, '7d': 7 * DAY_MS }[window];
  return { from: new Date(Date.parse(data.end) - ms).toISOString(), to: data.end };
}
