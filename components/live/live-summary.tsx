/** The latest request, the window's totals and the last error (planoai obs' summary panel and error banner). */
import type { ReactNode } from 'react';
import {
  NONE,
  callCostText,
  errorsText,
  fmtAgo,
  fmtCount,
  fmtMs,
  fmtShare,
  fmtTps,
  percentilesText,
  statusClass,
  statusText,
  totalCostText,
} from '@/lib/live/format';
import type { LiveCall, LiveSnapshot } from '@/lib/live/types';
import { callHref, clockTime } from './call-link';
import styles from './live.module.css';

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

export function StatusBadge({ call }: { call: Pick<LiveCall, 'statusCode' | 'error'> }) {
  return <span className={styles[`status-${statusClass(call.statusCode, call.error)}`]}>● {statusText(call.statusCode, call.error)}</span>;
}

function tokensLine(input: number | null, output: number | null, cached: number | null): string {
  const parts = [`${fmtCount(input)} in`, `${fmtCount(output)} out`];
  if (cached) parts.push(`${fmtCount(cached)} cached`);
  return parts.join(' · ');
}

export function LatestPanel({ call }: { call: LiveCall | null }) {
  return (
    <section className={styles.panel} data-testid="live-latest" data-trace-id={call?.traceId ?? ''}>
      <h2 className={styles.panelTitle}>Latest request</h2>
      {!call ? (
        <p className={styles.muted}>No request in this window yet: waiting for spans…</p>
      ) : (
        <dl className={styles.facts}>
          <Row label="model" testId="latest-model">
            <span className={styles.model}>{call.model ?? NONE}</span>
            {call.streaming ? <span className={styles.muted}> ⟳ stream</span> : null}
          </Row>
          {call.requestedModel && call.requestedModel !== call.model ? <Row label="requested">{call.requestedModel}</Row> : null}
          {call.route || call.strategy ? (
            <Row label="route" testId="latest-route">
              {call.route ?? <span className={styles.muted}>(no route)</span>}
              {call.strategy ? <span className={styles.muted}> · {call.strategy}</span> : null}
              {call.fallback ? <span className={styles.warnText}> · fallback</span> : null}
            </Row>
          ) : null}
          <Row label="status">
            <StatusBadge call={call} />
          </Row>
          <Row label="tokens">
            {tokensLine(call.inputTokens, call.outputTokens, call.cachedTokens)}
            {call.cacheHit ? <span className={styles.muted}> · cache hit</span> : null}
          </Row>
          <Row label="timing">
            TTFT {fmtMs(call.ttftMs)} · latency {fmtMs(call.latencyMs)} · {fmtTps(call.tokensPerSecond)}
          </Row>
          <Row label="cost" testId="latest-cost">
            <span data-source={call.cost?.source ?? ''}>{callCostText(call.cost)}</span>
          </Row>
          <Row label="trace">
            <a href={callHref(call)} data-testid="latest-trace-link">
              {call.traceId.slice(0, 8)}
            </a>{' '}
            <span className={styles.muted}>
              {clockTime(call.startTimeUnixNano)} UTC{call.tenantId ? ` · ${call.tenantId}` : ''}
            </span>
          </Row>
        </dl>
      )}
    </section>
  );
}

export function TotalsPanel({ data }: { data: LiveSnapshot }) {
  const t = data.totals;
  const current = data.recent.find((c) => c.sessionId)?.sessionId ?? null;
  return (
    <section className={styles.panel} data-testid="live-totals">
      <h2 className={styles.panelTitle}>Last {data.window.since}</h2>
      <dl className={styles.facts}>
        <Row label="requests" testId="live-requests">
          <strong>{fmtCount(t.requests)}</strong>
        </Row>
        <Row label="errors" testId="live-errors">
          <span className={t.errors > 0 ? styles.errorText : undefined}>{errorsText(t)}</span>
        </Row>
        <Row label="total cost" testId="live-cost">
          <span data-source={t.cost.source ?? ''}>{totalCostText(t.cost)}</span>
        </Row>
        <Row label="tokens">{tokensLine(t.inputTokens, t.outputTokens, t.cachedTokens)}</Row>
        <Row label="latency">{percentilesText(t.latencyMs)}</Row>
        <Row label="TTFT">{percentilesText(t.ttftMs)}</Row>
        <Row label="cache hits" testId="live-cache">
          {fmtCount(t.cacheHits)} ({fmtShare(t.cacheHitShare)})
        </Row>
        <Row label="fallbacks" testId="live-fallbacks">
          {fmtCount(t.fallbacks)}
        </Row>
        <Row label="sessions">
          {fmtCount(t.sessions)}
          {current ? <span className={styles.muted}> · current {current}</span> : null}
        </Row>
      </dl>
    </section>
  );
}

/** `nowMs`: the snapshot's time (its window's end), so "ago" is the server's answer, not the render's. */
export function LastErrorBanner({ call, nowMs }: { call: LiveCall; nowMs: number }) {
  const severe = (call.statusCode ?? 500) >= 500;
  return (
    <section className={severe ? styles.errorBanner : styles.warnBanner} data-testid="live-last-error">
      <strong>Last error</strong> <StatusBadge call={call} /> · <span className={styles.model}>{call.model ?? NONE}</span>
      {call.route ? ` · ${call.route}` : ''} · {fmtAgo(Number(BigInt(call.startTimeUnixNano) / 1_000_000n), nowMs)} ·{' '}
      <a href={callHref(call)}>{call.traceId.slice(0, 8)}</a>
      {call.errorMessage ? <div className={styles.errorMessage}>{call.errorMessage}</div> : null}
    </section>
  );
}
