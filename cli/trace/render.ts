/**
 * Text output of `tracedeck trace`: the span tree (planoai's layout: offsets in
 * ms from the trace start, service colours, a red banner above a failed span),
 * the share URL, and the `--list` lines. Pure: data in, lines out.
 */
import type { StoredSpan, TraceSummary } from '../../lib/trace/wire';
import { type AttrPair, displayAttributes, displayValue, spanErrorBanner } from './attributes';
import type { Painter, Style } from './style';
import { costText } from '../../lib/pricing/label';
import type { CostFigure } from '../../lib/pricing/types';

/** Plano's brand purple, planoai's colour for attribute values. */
export const PLANO_COLOR = '#969FF4';

const GUIDE: Style = { fg: '#5b5a5c', dim: true, bold: true };
const ERROR_RED = '#ff6b6b';
const ERROR_KEYS = new Set(['error.message', 'exception.message', 'error.type', 'exception.type']);

/** planoai's colour of a service name, with a basic-colour stand-in for 16-colour terminals. */
export function serviceColor(service: string): { fg: string; fg16?: string } {
  const s = service.toLowerCase();
  if (s.includes('inbound')) return { fg: '#4860fa', fg16: 'blue' };
  if (s.includes('outbound')) return { fg: '#57d9a9', fg16: 'bright_cyan' };
  if (s.includes('orchestrator')) return { fg: PLANO_COLOR, fg16: 'bright_blue' };
  if (s.includes('routing')) return { fg: '#e3a2fa', fg16: 'magenta' };
  if (s.includes('agent')) return { fg: 'cyan' };
  if (s.includes('llm')) return { fg: 'green' };
  return { fg: 'white' };
}

/** `costs`: as GET /api/traces/{id} prices it (absent from older servers). */
export type TraceView = { traceId: string; spans: StoredSpan[]; costs?: { total: CostFigure | null } };
export type RenderOptions = { verbose: boolean; patterns: readonly string[]; shareUrl?: string | null };

const ns = (text: string) => BigInt(text);
const msText = (nanos: bigint) => `${Math.max(0, Math.round(Number(nanos) / 1e6))}ms`;

export function traceBounds(spans: readonly StoredSpan[]): { startNs: bigint; endNs: bigint } {
  let startNs: bigint | null = null;
  let endNs: bigint | null = null;
  for (const s of spans) {
    const a = ns(s.startTimeUnixNano);
    const b = ns(s.endTimeUnixNano);
    if (startNs === null || a < startNs) startNs = a;
    if (endNs === null || b > endNs) endNs = b;
  }
  return { startNs: startNs ?? 0n, endNs: endNs ?? 0n };
}

/** Roots (spans whose parent is not in the trace) and children, each ordered by start time. */
function buildTree(spans: readonly StoredSpan[]): { roots: StoredSpan[]; children: Map<string, StoredSpan[]> } {
  const ids = new Set(spans.map((s) => s.spanId));
  const byStart = [...spans].sort((a, b) => {
    const d = ns(a.startTimeUnixNano) - ns(b.startTimeUnixNano);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  const roots: StoredSpan[] = [];
  const children = new Map<string, StoredSpan[]>();
  for (const span of byStart) {
    if (span.parentSpanId && span.parentSpanId !== span.spanId && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else roots.push(span);
  }
  return { roots, children };
}

export function renderTrace(trace: TraceView, options: RenderOptions, p: Painter): string[] {
  if (trace.spans.length === 0) return [p.paint('No spans found for this trace.', { fg: 'yellow' })];
  const { startNs, endNs } = traceBounds(trace.spans);
  const cost = trace.costs?.total ? `  ${p.paint('cost', { dim: true })} ${costText(trace.costs.total)}` : '';
  const lines: string[] = [
    '',
    `${p.paint('Trace:', { bold: true })} ${trace.traceId} ${p.paint(`(${msText(endNs - startNs)} total)`, { dim: true })}${cost}`,
    '',
  ];
  const { roots, children } = buildTree(trace.spans);
  const guide = (text: string) => p.paint(text, GUIDE);
  const visited = new Set<string>();

  const attrLine = ([key, value]: AttrPair) => {
    let style: Style = { fg: PLANO_COLOR, bold: true };
    if (key === 'http.status_code' && /^\d+$/.test(value)) style = Number(value) >= 400 ? { fg: 'red', bold: true } : { fg: 'green' };
    else if (ERROR_KEYS.has(key)) style = { fg: 'red' };
    return `${p.paint(`${key}: `, { fg: '#a4a9aa' })}${p.paint(displayValue(key, value), style)}`;
  };

  const spanLabel = (span: StoredSpan, failed: boolean) => {
    const offset = msText(ns(span.startTimeUnixNano) - startNs);
    const name = span.name ? ` ${span.name}` : '';
    if (failed) {
      return `${p.paint(`${offset} `, { fg: ERROR_RED })}${p.paint(span.service, { fg: ERROR_RED, bold: true })}${p.paint(name, { fg: ERROR_RED, italic: true })}`;
    }
    return `${p.paint(`${offset} `, { fg: '#949c99' })}${p.paint(span.service, { ...serviceColor(span.service), bold: true })}${p.paint(name, { fg: 'white', dim: true, bold: true, italic: true })}`;
  };

  const spacer = (prefix: string) => guide(`${prefix}│`.trimEnd());

  const renderSpan = (span: StoredSpan, prefix: string, last: boolean) => {
    visited.add(span.spanId);
    const banner = spanErrorBanner(span);
    if (banner !== null) lines.push(`${guide(`${prefix}├── `)}${p.paint(banner, { fg: 'bright_red' })}`);
    lines.push(`${guide(`${prefix}${last ? '└── ' : '├── '}`)}${spanLabel(span, banner !== null)}`);
    const inner = `${prefix}${last ? '    ' : '│   '}`;
    const attrs = displayAttributes(span, options);
    const kids = (children.get(span.spanId) ?? []).filter((c) => !visited.has(c.spanId));
    attrs.forEach((pair, i) => {
      const lastItem = i === attrs.length - 1 && kids.length === 0;
      lines.push(`${guide(`${inner}${lastItem ? '└── ' : '├── '}`)}${attrLine(pair)}`);
    });
    kids.forEach((child, i) => {
      if (i > 0 || attrs.length > 0) lines.push(spacer(inner));
      renderSpan(child, inner, i === kids.length - 1);
    });
  };

  roots.forEach((root, i) => {
    if (i > 0) lines.push(spacer(''));
    renderSpan(root, '', i === roots.length - 1);
  });
  lines.push('');
  if (options.shareUrl) lines.push(`${p.paint('Open in Tracedeck:', { bold: true })} ${p.paint(options.shareUrl, { fg: 'cyan' })}`, '');
  return lines;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local time as `YYYY-MM-DD HH:MM:SS` (planoai's list timestamp). */
export function localTimestamp(startNs: string): string {
  const d = new Date(Number(BigInt(startNs) / 1_000_000n));
  if (Number.isNaN(d.getTime()) || BigInt(startNs) <= 0n) return 'unknown';
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `3f2a9c1d (1532ms total • 2026-01-02 10:11:12)`: the picker's label, as planoai's. */
export function summaryLabel(t: TraceSummary): string {
  return `${t.traceId.slice(0, 8)} (${Math.max(0, Math.round(t.durationMs))}ms total • ${localTimestamp(t.startTimeUnixNano)})`;
}

/** planoai's `Trace IDs:` list, each line also naming the tenant, model and HTTP status. */
export function renderTraceList(traces: readonly TraceSummary[], p: Painter): string[] {
  if (traces.length === 0) return [p.paint('No trace IDs found.', { fg: 'yellow' })];
  const lines = ['', p.paint('Trace IDs:', { bold: true })];
  for (const t of traces) {
    const extras: string[] = [];
    if (t.tenantId) extras.push(t.tenantId);
    if (t.llmModel) extras.push(t.llmModel);
    if (t.httpStatusCode !== null) extras.push(p.paint(String(t.httpStatusCode), t.httpStatusCode >= 400 ? { fg: 'red', bold: true } : { fg: 'green' }));
    else if (t.errorCount > 0) extras.push(p.paint('error', { fg: 'red', bold: true }));
    if (t.cost) extras.push(t.cost.source === 'unknown' ? p.paint(costText(t.cost), { fg: 'yellow' }) : costText(t.cost));
    const rest = summaryLabel(t).slice(8);
    lines.push(`  ${p.paint('-', { dim: true })} ${t.traceId.slice(0, 8)}${p.paint(rest, { dim: true })}${extras.length ? `  ${extras.join('  ')}` : ''}`);
  }
  return lines;
}
