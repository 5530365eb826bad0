/**
 * `tracedeck obs` as text: the live snapshot (GET /api/live) laid out like `planoai obs` —
 * the latest request beside the window's totals, the last error, by model, route share with
 * strategies and fallbacks, routing strategies, and the newest requests. Pure: a snapshot
 * and a painter in, lines out (the figures are written by lib/live/format.ts, as on /live).
 */
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
  totalCostShort,
  totalCostText,
  truncate,
} from '../../lib/live/format';
import type { LiveCall, LiveSnapshot } from '../../lib/live/types';
import { type Painter, type Style, stripAnsi } from '../trace/style';

const STATUS_STYLE: Record<ReturnType<typeof statusClass>, Style> = {
  ok: { fg: 'green' },
  redirect: { fg: 'yellow' },
  'client-error': { fg: 'yellow', bold: true },
  'server-error': { fg: 'red', bold: true },
  error: { fg: 'red', bold: true },
  none: { dim: true },
};

const width = (text: string) => [...stripAnsi(text)].length;
const pad = (text: string, to: number, right = false) => {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return right ? fill + text : text + fill;
};

export type Column = { header: string; right?: boolean };

/** Aligned columns (widths measured without colours), a dim header line first. */
export function table(columns: readonly Column[], rows: readonly string[][], p: Painter): string[] {
  const widths = columns.map((c, i) => Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    `  ${cells
      .map((cell, i) => pad(cell, widths[i], columns[i].right))
      .join('  ')
      .trimEnd()}`;
  return [p.paint(line(columns.map((c) => c.header)), { bold: true }), ...rows.map(line)];
}

/** `label  value` lines with the labels aligned. */
function facts(pairs: readonly [string, string][], p: Painter): string[] {
  const w = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `  ${p.paint(label.padEnd(w), { dim: true })}  ${value}`);
}

function status(call: Pick<LiveCall, 'statusCode' | 'error'>, p: Painter): string {
  return p.paint(`● ${statusText(call.statusCode, call.error)}`, STATUS_STYLE[statusClass(call.statusCode, call.error)]);
}

function tokens(input: number | null, output: number | null, cached: number | null, p: Painter): string {
  const parts = [`${fmtCount(input)} in`, p.paint(`${fmtCount(output)} out`, { fg: 'green' })];
  if (cached) parts.push(p.paint(`${fmtCount(cached)} cached`, { fg: 'yellow' }));
  return parts.join(' · ');
}

function latest(call: LiveCall | null, p: Painter): string[] {
  if (!call) return [p.paint('  latest  waiting for spans…', { dim: true, italic: true })];
  const pairs: [string, string][] = [
    ['model', `${p.paint(call.model ?? NONE, { fg: 'cyan', bold: true })}${call.streaming ? p.paint(' ⟳ stream', { dim: true }) : ''}`],
  ];
  if (call.requestedModel && call.requestedModel !== call.model) pairs.push(['requested', p.paint(call.requestedModel, { fg: 'cyan' })]);
  if (call.route || call.strategy) {
    const extra = [call.strategy, call.fallback ? p.paint('fallback', { fg: 'yellow' }) : null].filter(Boolean).join(' · ');
    pairs.push([
      'route',
      `${call.route ? p.paint(call.route, { fg: 'yellow' }) : p.paint('(no route)', { dim: true })}${extra ? p.paint(` · ${extra}`, { dim: true }) : ''}`,
    ]);
  }
  pairs.push(
    ['status', status(call, p)],
    ['tokens', tokens(call.inputTokens, call.outputTokens, call.cachedTokens, p)],
    ['timing', `TTFT ${fmtMs(call.ttftMs)} · lat ${fmtMs(call.latencyMs)} · ${fmtTps(call.tokensPerSecond)}`],
    ['cost', p.paint(callCostText(call.cost), { fg: 'green', bold: true })],
    ['trace', `${call.traceId.slice(0, 8)}${call.tenantId ? p.paint(` · ${call.tenantId}`, { dim: true }) : ''}`],
  );
  return facts(pairs, p);
}

function totals(s: LiveSnapshot, p: Painter): string[] {
  const t = s.totals;
  const current = s.recent.find((c) => c.sessionId)?.sessionId;
  return facts(
    [
      ['requests', p.paint(fmtCount(t.requests), { bold: true })],
      ['errors', t.errors > 0 ? p.paint(errorsText(t), { fg: 'red', bold: true }) : '0'],
      ['total cost', p.paint(totalCostText(t.cost), { fg: 'green', bold: true })],
      ['tokens', tokens(t.inputTokens, t.outputTokens, t.cachedTokens, p)],
      ['latency', percentilesText(t.latencyMs)],
      ['TTFT', percentilesText(t.ttftMs)],
      ['cache hits', `${fmtCount(t.cacheHits)} (${fmtShare(t.cacheHitShare)})`],
      ['fallbacks', fmtCount(t.fallbacks)],
      ['sessions', `${fmtCount(t.sessions)}${current ? p.paint(` · current ${current}`, { dim: true }) : ''}`],
    ],
    p,
  );
}

/** Two blocks side by side when the terminal is wide enough, else one under the other. */
function beside(left: string[], right: string[], columns: number): string[] {
  const w = Math.max(...left.map(width)) + 4;
  if (w + Math.max(...right.map(width)) > columns) return [...left, '', ...right];
  return Array.from({ length: Math.max(left.length, right.length) }, (_, i) => `${pad(left[i] ?? '', w)}${right[i] ?? ''}`.trimEnd());
}

function lastError(call: LiveCall, nowMs: number, p: Painter): string[] {
  const parts = [
    status(call, p),
    p.paint(call.model ?? NONE, { fg: 'cyan' }),
    call.route ? p.paint(call.route, { fg: 'yellow' }) : null,
    p.paint(fmtAgo(Number(BigInt(call.startTimeUnixNano) / 1_000_000n), nowMs), { dim: true }),
    `trace ${call.traceId.slice(0, 8)}`,
  ].filter((x): x is string => x !== null);
  const lines = [`${p.paint('last error', { bold: true })}  ${parts.join(p.paint(' · ', { dim: true }))}`];
  if (call.errorMessage) lines.push(`  ${p.paint(truncate(call.errorMessage, 150), { dim: true })}`);
  return lines;
}

function models(s: LiveSnapshot, p: Painter): string[] {
  const rows = s.models.map((m) => [
    p.paint(truncate(m.model ?? '(no model)', 32), { fg: 'cyan' }),
    fmtCount(m.requests),
    m.errors > 0 ? p.paint(fmtCount(m.errors), { fg: 'red', bold: true }) : NONE,
    fmtCount(m.inputTokens),
    fmtCount(m.outputTokens),
    m.cachedTokens ? fmtCount(m.cachedTokens) : NONE,
    m.cacheCreationTokens ? fmtCount(m.cacheCreationTokens) : NONE,
    fmtTps(m.tokensPerSecond),
    `${fmtMs(m.latencyMs.p50)} · ${fmtMs(m.latencyMs.p95)}`,
    `${fmtMs(m.ttftMs.p50)} · ${fmtMs(m.ttftMs.p95)}`,
    m.cost.usd === null && m.cost.unpricedRequests > 0 ? p.paint(totalCostShort(m.cost), { fg: 'yellow' }) : totalCostShort(m.cost),
  ]);
  const columns: Column[] = [
    { header: 'model' },
    { header: 'req', right: true },
    { header: 'err', right: true },
    { header: 'input', right: true },
    { header: 'output', right: true },
    { header: 'cache rd', right: true },
    { header: 'cache wr', right: true },
    { header: 'tok/s', right: true },
    { header: 'lat p50 · p95', right: true },
    { header: 'TTFT p50 · p95', right: true },
    { header: 'cost', right: true },
  ];
  return [p.paint('by model', { bold: true, dim: true }), ...(rows.length ? table(columns, rows, p) : [p.paint('  no requests yet', { dim: true })])];
}

function routes(s: LiveSnapshot, p: Painter): string[] {
  if (s.routes.length === 0) return [];
  const rows = s.routes.map((r) => [
    r.route === null ? p.paint('(no route)', { dim: true }) : p.paint(r.route, { fg: 'cyan' }),
    fmtCount(r.requests),
    fmtShare(r.share),
    fmtMs(r.latencyP95Ms),
    r.errors > 0 ? p.paint(fmtCount(r.errors), { fg: 'red', bold: true }) : NONE,
    r.strategies.map((x) => `${x.strategy ?? '(none)'} ${fmtCount(x.requests)}`).join(' · ') || NONE,
    r.fallbacks > 0 ? p.paint(fmtCount(r.fallbacks), { fg: 'yellow' }) : NONE,
  ]);
  const columns: Column[] = [
    { header: 'route' },
    { header: 'hits', right: true },
    { header: '%', right: true },
    { header: 'p95', right: true },
    { header: 'err', right: true },
    { header: 'strategies' },
    { header: 'fallbacks', right: true },
  ];
  return ['', p.paint('route share', { bold: true, dim: true }), ...table(columns, rows, p)];
}

function recent(s: LiveSnapshot, p: Painter): string[] {
  const rows = s.recent.map((c, i) => [
    p.paint(new Date(Number(BigInt(c.startTimeUnixNano) / 1_000_000n)).toISOString().slice(11, 19), i === 0 ? { bold: true } : {}),
    p.paint(truncate(c.model ?? NONE, 28), { fg: 'cyan', bold: i === 0 }),
    `${c.route ?? NONE}${c.fallback ? p.paint(' ↺', { fg: 'yellow' }) : ''}`,
    fmtCount(c.inputTokens),
    c.cachedTokens ? fmtCount(c.cachedTokens) : NONE,
    fmtCount(c.outputTokens),
    fmtTps(c.tokensPerSecond),
    fmtMs(c.ttftMs),
    fmtMs(c.latencyMs),
    callCostText(c.cost),
    status(c, p),
  ]);
  const columns: Column[] = [
    { header: 'time' },
    { header: 'model' },
    { header: 'route' },
    { header: 'in', right: true },
    { header: 'cached', right: true },
    { header: 'out', right: true },
    { header: 'tok/s', right: true },
    { header: 'TTFT', right: true },
    { header: 'lat', right: true },
    { header: 'cost', right: true },
    { header: 'status' },
  ];
  return [
    '',
    p.paint(`recent · newest ${s.recent.length}`, { bold: true, dim: true }),
    ...(rows.length ? table(columns, rows, p) : [p.paint('  waiting for spans…', { dim: true })]),
  ];
}

export type RenderOptions = { columns: number; baseUrl: string; intervalS: number | null };

/** The whole screen. `intervalS` null: printed once (not a terminal, or --json's text twin). */
export function renderObs(s: LiveSnapshot, p: Painter, { columns, baseUrl, intervalS }: RenderOptions): string[] {
  const nowMs = Date.parse(s.window.to);
  const head = [
    p.paint('live LLM traffic', { fg: 'cyan', bold: true }),
    p.paint(`last ${s.window.since}`, { bold: true }),
    s.where ? `where ${s.where}` : null,
    p.paint(`${s.window.to.slice(11, 19)} UTC`, { dim: true }),
  ].filter((x): x is string => x !== null);
  const lines = [head.join(p.paint(' · ', { dim: true })), ''];
  lines.push(...beside(latest(s.recent[0] ?? null, p), totals(s, p), columns));
  if (s.lastError) lines.push('', ...lastError(s.lastError, nowMs, p));
  if (s.unpricedNote) lines.push('', p.paint(`${s.unpricedNote} — not counted in the cost (add them to TRACEDECK_PRICES)`, { fg: 'yellow' }));
  if (s.pricesError) lines.push(p.paint(`${s.pricesError} — priced from the bundled catalog only`, { fg: 'yellow' }));
  lines.push('', ...models(s, p), ...routes(s, p), ...recent(s, p), '');
  const live = intervalS === null ? 'printed once' : `Ctrl-C exit · every ${intervalS}s`;
  lines.push(
    p.paint(`${live} · ${baseUrl}/live · ${s.totals.requests === 0 ? 'waiting for spans' : `${fmtCount(s.totals.requests)} request(s) in the window`}`, {
      dim: true,
    }),
  );
  return lines;
}
