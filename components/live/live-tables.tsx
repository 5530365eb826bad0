/** The live view's tables: by model, route share, routing strategies, and the newest requests. */
import { NONE, callCostText, fmtCount, fmtMs, fmtShare, fmtTps, totalCostShort, totalCostText } from '@/lib/live/format';
import type { LiveCall, LiveModelRow, LiveRouteRow, LiveSnapshot } from '@/lib/live/types';
import { callHref, clockTime } from './call-link';
import { StatusBadge } from './live-summary';
import styles from './live.module.css';

function Empty({ columns, text }: { columns: number; text: string }) {
  return (
    <tr>
      <td colSpan={columns} className={styles.muted}>
        {text}
      </td>
    </tr>
  );
}

export function ModelTable({ rows }: { rows: LiveModelRow[] }) {
  return (
    <section className={styles.panel}>
      <h2 className={styles.panelTitle}>By model</h2>
      <table className={styles.table} data-testid="live-model-table">
        <thead>
          <tr>
            <th>model</th>
            <th className={styles.num}>req</th>
            <th className={styles.num}>err</th>
            <th className={styles.num}>input</th>
            <th className={styles.num}>output</th>
            <th className={styles.num} title="cache read: cached input tokens">
              cache rd
            </th>
            <th className={styles.num} title="cache write: cache-creation tokens">
              cache wr
            </th>
            <th className={styles.num}>tok/s</th>
            <th className={styles.num}>p50 · p95</th>
            <th className={styles.num}>TTFT p50 · p95</th>
            <th className={styles.num}>cost</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? <Empty columns={11} text="No requests yet." /> : null}
          {rows.map((r) => (
            <tr key={r.model ?? ''} data-model={r.model ?? ''}>
              <td className={styles.model}>{r.model ?? '(no model)'}</td>
              <td className={styles.num} data-column="requests">
                {fmtCount(r.requests)}
              </td>
              <td className={`${styles.num} ${r.errors > 0 ? styles.errorText : ''}`} data-column="errors">
                {r.errors > 0 ? fmtCount(r.errors) : NONE}
              </td>
              <td className={styles.num}>{fmtCount(r.inputTokens)}</td>
              <td className={styles.num}>{fmtCount(r.outputTokens)}</td>
              <td className={styles.num}>{r.cachedTokens ? fmtCount(r.cachedTokens) : NONE}</td>
              <td className={styles.num}>{r.cacheCreationTokens ? fmtCount(r.cacheCreationTokens) : NONE}</td>
              <td className={styles.num}>{fmtTps(r.tokensPerSecond)}</td>
              <td className={styles.num}>
                {fmtMs(r.latencyMs.p50)} · {fmtMs(r.latencyMs.p95)}
              </td>
              <td className={styles.num}>
                {fmtMs(r.ttftMs.p50)} · {fmtMs(r.ttftMs.p95)}
              </td>
              <td
                className={`${styles.num} ${r.cost.usd === null && r.cost.unpricedRequests > 0 ? styles.warnText : ''}`}
                data-column="cost"
                data-source={r.cost.source ?? ''}
                title={totalCostText(r.cost)}
              >
                {totalCostShort(r.cost)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function strategiesText(r: LiveRouteRow): string {
  return r.strategies.map((s) => `${s.strategy ?? '(none)'} ${fmtCount(s.requests)}`).join(' · ') || NONE;
}

export function RouteTable({ rows }: { rows: LiveRouteRow[] }) {
  return (
    <section className={styles.panel}>
      <h2 className={styles.panelTitle}>Route share</h2>
      <table className={styles.table} data-testid="live-route-table">
        <thead>
          <tr>
            <th>route</th>
            <th className={styles.num}>hits</th>
            <th className={styles.num}>%</th>
            <th className={styles.num}>p95</th>
            <th className={styles.num}>err</th>
            <th>strategies</th>
            <th className={styles.num}>fallbacks</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? <Empty columns={7} text="No requests yet." /> : null}
          {rows.map((r) => (
            <tr key={r.route ?? ''} data-route={r.route ?? ''}>
              <td>{r.route ?? <span className={styles.muted}>(no route)</span>}</td>
              <td className={styles.num}>{fmtCount(r.requests)}</td>
              <td className={styles.num}>{fmtShare(r.share)}</td>
              <td className={styles.num}>{fmtMs(r.latencyP95Ms)}</td>
              <td className={`${styles.num} ${r.errors > 0 ? styles.errorText : ''}`}>{r.errors > 0 ? fmtCount(r.errors) : NONE}</td>
              <td className={styles.muted}>{strategiesText(r)}</td>
              <td className={styles.num} data-column="fallbacks">
                {r.fallbacks > 0 ? fmtCount(r.fallbacks) : NONE}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function StrategyTable({ rows }: { rows: LiveSnapshot['strategies'] }) {
  if (rows.length === 0) return null;
  return (
    <section className={styles.panel}>
      <h2 className={styles.panelTitle}>Routing strategy</h2>
      <table className={styles.table} data-testid="live-strategy-table">
        <thead>
          <tr>
            <th>strategy</th>
            <th className={styles.num}>requests</th>
            <th className={styles.num}>%</th>
            <th className={styles.num}>fallbacks</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.strategy ?? ''} data-strategy={s.strategy ?? ''}>
              <td>{s.strategy ?? <span className={styles.muted}>(none)</span>}</td>
              <td className={styles.num}>{fmtCount(s.requests)}</td>
              <td className={styles.num}>{fmtShare(s.share)}</td>
              <td className={styles.num}>{s.fallbacks > 0 ? fmtCount(s.fallbacks) : NONE}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function RecentTable({ calls }: { calls: LiveCall[] }) {
  return (
    <section className={styles.panel}>
      <h2 className={styles.panelTitle}>Recent · newest {calls.length}</h2>
      <table className={styles.table} data-testid="live-recent">
        <thead>
          <tr>
            <th>time (UTC)</th>
            <th>trace</th>
            <th>tenant</th>
            <th>model</th>
            <th>route</th>
            <th className={styles.num}>in</th>
            <th className={styles.num}>cached</th>
            <th className={styles.num}>out</th>
            <th className={styles.num}>tok/s</th>
            <th className={styles.num}>TTFT</th>
            <th className={styles.num}>latency</th>
            <th className={styles.num}>cost</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>
          {calls.length === 0 ? <Empty columns={13} text="Waiting for spans…" /> : null}
          {calls.map((c) => (
            <tr key={`${c.tenantId}/${c.traceId}`} data-trace-id={c.traceId}>
              <td className={styles.mono}>{clockTime(c.startTimeUnixNano)}</td>
              <td className={styles.mono}>
                <a href={callHref(c)}>{c.traceId.slice(0, 8)}</a>
              </td>
              <td>{c.tenantId || NONE}</td>
              <td className={styles.model}>{c.model ?? NONE}</td>
              <td>
                {c.route ?? NONE}
                {c.fallback ? <span className={styles.warnText}> ↺</span> : null}
              </td>
              <td className={styles.num}>{fmtCount(c.inputTokens)}</td>
              <td className={styles.num}>{c.cachedTokens ? fmtCount(c.cachedTokens) : NONE}</td>
              <td className={styles.num}>{fmtCount(c.outputTokens)}</td>
              <td className={styles.num}>{fmtTps(c.tokensPerSecond)}</td>
              <td className={styles.num}>{fmtMs(c.ttftMs)}</td>
              <td className={styles.num}>{fmtMs(c.latencyMs)}</td>
              <td className={styles.num} data-source={c.cost?.source ?? ''}>
                {callCostText(c.cost)}
              </td>
              <td>
                <StatusBadge call={c} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
