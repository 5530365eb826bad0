/**
 * A session page's body: the session's summary and its turns oldest first — time,
 * model, route, latency, TTFT, tokens, cost with its source, status and the user's
 * message (Plano's `llm.user_message_preview`), each linking to its trace. Messages are
 * rendered as text (React escapes them), never as HTML.
 */
import Link from 'next/link';
import { NONE, callCostText, fmtCount, fmtMs, statusText, totalCostText } from '@/lib/live/format';
import { traceHref } from '@/lib/links';
import type { SessionDetail, SessionSummary, SessionTurn } from '@/lib/sessions/types';
import frame from '@/components/ui/page.module.css';
import styles from './sessions.module.css';

const when = (ns: string) => new Date(Number(BigInt(ns) / 1_000_000n)).toISOString().slice(0, 23).replace('T', ' ');

function Summary({ s }: { s: SessionSummary }) {
  return (
    <p className="muted" data-testid="session-summary" data-tenant={s.tenantId}>
      {s.tenantId} · {s.users.join(', ') || 'no user'} · {fmtCount(s.turns)} turns · {fmtCount(s.inputTokens)} in / {fmtCount(s.outputTokens)} out ·{' '}
      <span data-testid="session-cost">{totalCostText({ ...s.cost, unpriced: [] })}</span> · {fmtCount(s.errors)} errors · TTFT p95 {fmtMs(s.ttftP95Ms)}
    </p>
  );
}

function TurnRow({ turn, index }: { turn: SessionTurn; index: number }) {
  return (
    <tr data-trace-id={turn.traceId} className={turn.error ? styles.failed : undefined}>
      <td className="num">{index + 1}</td>
      <td className="mono">{when(turn.startTimeUnixNano)}</td>
      <td className={styles.message} data-column="message">
        {turn.userMessage ?? <span className="muted">{turn.rootName || NONE}</span>}
      </td>
      <td>{turn.model ?? NONE}</td>
      <td>{turn.route ?? NONE}</td>
      <td className="num">{fmtMs(turn.latencyMs)}</td>
      <td className="num">{fmtMs(turn.ttftMs)}</td>
      <td className="num">
        {fmtCount(turn.inputTokens)} / {fmtCount(turn.outputTokens)}
      </td>
      <td className="num" data-column="cost" data-source={turn.cost?.source ?? ''}>
        {callCostText(turn.cost)}
      </td>
      <td className={turn.error ? 'error-text' : undefined} data-column="status">
        {statusText(turn.statusCode, turn.error)}
      </td>
      <td className="mono">
        <a href={traceHref(turn)} data-testid="turn-trace-link">
          {turn.traceId.slice(0, 8)}
        </a>
      </td>
    </tr>
  );
}

export function SessionTurnsView({ sessionId, detail, error }: { sessionId: string; detail: SessionDetail | null; error: string | null }) {
  return (
    <div className={frame.page} data-testid="session-view">
      <div className={frame.header}>
        <h1 className={frame.title}>
          Session <span className="mono">{sessionId}</span>
        </h1>
        <Link className={frame.headerNote} href="/sessions">
          all sessions
        </Link>
      </div>
      {error ? (
        <div className={styles.error} data-testid="session-error">
          {error}
        </div>
      ) : null}
      {!error && !detail ? <div className="empty">No turn of this session in the range.</div> : null}
      {detail ? (
        <>
          {detail.summaries.map((s) => (
            <Summary key={s.tenantId} s={s} />
          ))}
          <table className={`data ${styles.turns}`} data-testid="session-turns">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>time (UTC)</th>
                <th>user message</th>
                <th>model</th>
                <th>route</th>
                <th className="num">latency</th>
                <th className="num">TTFT</th>
                <th className="num">tokens in / out</th>
                <th className="num">cost</th>
                <th>status</th>
                <th>trace</th>
              </tr>
            </thead>
            <tbody>
              {detail.turns.map((t, i) => (
                <TurnRow key={`${t.tenantId}/${t.traceId}`} turn={t} index={i} />
              ))}
            </tbody>
          </table>
          {detail.truncated ? <p className="muted">Only the first {detail.turns.length} turns are shown.</p> : null}
        </>
      ) : null}
    </div>
  );
}
