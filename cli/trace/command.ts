/**
 * `tracedeck trace [TARGET]`: planoai's `trace` command over Tracedeck's HTTP API.
 * Checks the arguments, asks the server, prints a span tree, a list, a picker or
 * planoai-shaped JSON. Returns the exit code; all I/O goes through `TraceIo`.
 */
import type { TraceSummary } from '../../lib/trace/wire';
import { traceHref } from '../../lib/links';
import { DEFAULT_INTERNAL_RULES, foldInternalSpans } from '../../lib/trace/internal-spans';
import { parseWhereList, serializeWhere, unknownKeys, unknownKeysMessage } from '../../lib/where';
import { CliError, MESSAGES, type TraceCliOptions, type TracePlan, planTrace, unmatchedFilterWarning, whereError } from './args';
import { unmatchedPatterns } from './attributes';
import { ApiAnswerError, type TraceDetail, type TracedeckClient } from './client';
import { formatJson, toPlanoaiTrace } from './planoai-json';
import { renderTrace, renderTraceList, summaryLabel, traceBounds } from './render';
import type { Painter } from './style';

/** planoai's listener keeps the last 50 traces, so `any` never shows more unless --limit says so. */
export const DEFAULT_ANY_LIMIT = 50;
const PAGE_MAX = 1000;
const FETCH_CONCURRENCY = 6;

export type TraceIo = {
  out(text: string): void;
  err(text: string): void;
  /** Painter of stdout (plain when stdout is not a terminal or NO_COLOR is set). */
  painter: Painter;
  /** Painter of stderr. */
  errPainter: Painter;
  /** Both stdin and stdout are terminals. */
  tty: boolean;
  /** The interactive picker (terminal only): index chosen, or null when cancelled. */
  pick(labels: string[]): Promise<number | null>;
  client(baseUrl: string, token?: string | null): TracedeckClient;
  /** Environment (TRACEDECK_URL, TRACEDECK_TOKEN). */
  env: Record<string, string | undefined>;
};

export async function runTrace(target: string | undefined, options: TraceCliOptions, io: TraceIo): Promise<number> {
  const lines = (list: string[]) => io.out(list.map((l) => `${l}\n`).join(''));
  let plan: TracePlan | null = null;
  try {
    const ready = planTrace(target, options, io.env);
    plan = ready;
    const client = io.client(ready.baseUrl, ready.token);
    const patterns = await checkKeys(ready, client, io);
    const summaries = await findTraces(ready, client);
    const where = ready.where.length > 0 ? parseWhereList(ready.where).ast : null;
    const shareUrl = (t: { traceId: string; startTimeUnixNano: string; endTimeUnixNano: string }) =>
      `${ready.baseUrl}${traceHref(t, { ...(where ? { where: serializeWhere(where) } : {}), foldInternal: ready.foldInternal })}`;
    const getTrace = async (traceId: string) => {
      const detail = await client.getTrace(traceId);
      return detail && ready.foldInternal ? foldDetail(detail) : detail ? { detail, folded: undefined } : null;
    };

    if (ready.json && ready.list) {
      io.out(`${formatJson({ trace_ids: summaries.map((s) => s.traceId) })}\n`);
      return 0;
    }
    if (ready.json) {
      const details = await mapLimit(summaries, FETCH_CONCURRENCY, async (s) => (await getTrace(s.traceId))?.detail ?? null);
      const traces = details
        .filter((d): d is TraceDetail => d !== null && d.spans.length > 0)
        .map((d) => toPlanoaiTrace(d, { patterns, shareUrl: shareUrl(windowOf(d)) }));
      io.out(`${formatJson({ traces })}\n`);
      return 0;
    }

    const showTree = async (summary: TraceSummary) => {
      const got = await getTrace(summary.traceId);
      if (!got || got.detail.spans.length === 0) {
        lines([io.painter.paint(MESSAGES.noTraces, { fg: 'yellow' })]);
        return;
      }
      const { detail, folded } = got;
      lines(renderTrace(detail, { verbose: ready.verbose, patterns, shareUrl: shareUrl(windowOf(detail)), folded }, io.painter));
    };

    if (ready.list) {
      if (summaries.length > 0 && ready.interactive && io.tty) {
        const chosen = await io.pick(summaries.map(summaryLabel));
        if (chosen === null) lines([io.painter.paint('Cancelled.', { dim: true })]);
        else await showTree(summaries[chosen]);
        return 0;
      }
      lines(renderTraceList(summaries, io.painter));
      return 0;
    }

    const [first] = summaries;
    if (!first) {
      lines([io.painter.paint(MESSAGES.noTraces, { fg: 'yellow' })]);
      return 0;
    }
    if (ready.target.kind === 'short' && summaries.length > 1) {
      io.err(
        `${io.errPainter.paint('Note:', { fg: 'yellow' })} ${summaries.length} traces start with ${ready.target.id}; showing the newest (${first.traceId}). Use the full ID for another.\n`,
      );
    }
    await showTree(first);
    return 0;
  } catch (err) {
    const failure = await explain(err, plan, io);
    io.err(`${io.errPainter.paint('Error:', { fg: 'red', bold: true })} ${failure.message}\n${failure.details.map((d) => `${d}\n`).join('')}`);
    return 1;
  }
}

/**
 * planoai's key checks, against the server's attribute catalog (span and
 * resource keys seen, plus the intrinsic fields). Like planoai, they only run
 * when there is data. Returns the --filter patterns to apply: none when a
 * pattern matches no key (with planoai's warning).
 */
async function checkKeys(plan: TracePlan, client: TracedeckClient, io: TraceIo): Promise<string[]> {
  if (plan.where.length === 0 && plan.patterns.length === 0) return plan.patterns;
  const catalog = await client.attributeKeys();
  const seen = catalog.filter((k) => k.scope !== 'intrinsic').map((k) => k.key);
  if (seen.length === 0) return plan.patterns;
  if (plan.where.length > 0) {
    const message = unknownKeysMessage(
      unknownKeys(
        parseWhereList(plan.where).ast,
        catalog.map((k) => k.key),
      ),
    );
    if (message) throw new CliError(message);
  }
  const unmatched = unmatchedPatterns(plan.patterns, seen);
  if (unmatched.length > 0) {
    io.err(`${io.errPainter.paint('Warning:', { fg: 'yellow' })} ${unmatchedFilterWarning(unmatched)}\n`);
    return [];
  }
  return plan.patterns;
}

/** The summaries of the traces the target names, newest first, at most what --limit allows. */
async function findTraces(plan: TracePlan, client: TracedeckClient): Promise<TraceSummary[]> {
  const { target } = plan;
  const wanted = target.kind === 'last' ? Math.min(1, plan.limit ?? 1) : (plan.limit ?? DEFAULT_ANY_LIMIT);
  if (wanted === 0) return [];
  if (target.kind === 'last' || target.kind === 'any') {
    // The tree shows only the first trace, so only that one is asked for.
    return listAll(client, plan.where, plan.since, plan.json || plan.list ? wanted : 1);
  }
  if (plan.where.length === 0 && !plan.since) {
    // Straight lookup (a short id answers 409 with the candidates, newest first, when it is not unique).
    let ids: string[];
    try {
      const detail = await client.getTrace(target.id);
      if (!detail) return [];
      ids = [detail.traceId];
    } catch (err) {
      if (!(err instanceof ApiAnswerError && err.status === 409 && err.body.candidates)) throw err;
      ids = err.body.candidates;
    }
    const details = await mapLimit(ids.slice(0, wanted), FETCH_CONCURRENCY, (id) => client.getTrace(id));
    return details.filter((d): d is TraceDetail => d !== null && d.spans.length > 0).map(summaryOf);
  }
  // With filters, the trace must also match them: `trace_id=<8 hex>` is a prefix match.
  return listAll(client, [...plan.where, `trace_id=${target.id}`], plan.since, wanted);
}

async function listAll(client: TracedeckClient, where: string[], since: string | null, wanted: number): Promise<TraceSummary[]> {
  const out: TraceSummary[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const page = await client.listTraces({ where, since, limit: Math.min(PAGE_MAX, wanted - out.length), cursor });
    for (const t of page.traces) {
      if (seen.has(t.traceId)) continue; // one trace id under several tenants: shown once
      seen.add(t.traceId);
      out.push(t);
      if (out.length >= wanted) break;
    }
    cursor = page.nextCursor;
  } while (cursor && out.length < wanted);
  return out;
}

/** The stored summary of a trace, or one built from its spans. */
function summaryOf(detail: TraceDetail): TraceSummary {
  const stored = detail.summaries[0];
  if (stored) return stored;
  const { startNs, endNs } = traceBounds(detail.spans);
  const root = detail.spans.find((s) => !s.parentSpanId) ?? detail.spans[0];
  return {
    traceId: detail.traceId,
    tenantId: root?.tenantId ?? '',
    startTimeUnixNano: startNs.toString(),
    endTimeUnixNano: endNs.toString(),
    durationMs: Number(endNs - startNs) / 1e6,
    rootName: root?.name ?? null,
    rootService: root?.service ?? null,
    spanCount: detail.spans.length,
    errorCount: detail.spans.filter((s) => s.status.code === 2).length,
    userId: null,
    sessionId: null,
    llmModel: null,
    httpStatusCode: null,
    promptTokens: null,
    completionTokens: null,
    totalTokens: null,
    costUsd: null,
  };
}

function windowOf(detail: TraceDetail): { traceId: string; startTimeUnixNano: string; endTimeUnixNano: string } {
  const { startNs, endNs } = traceBounds(detail.spans);
  return { traceId: detail.traceId, startTimeUnixNano: startNs.toString(), endTimeUnixNano: endNs.toString() };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Any failure → the message (and detail lines) to print. A filter the server rejects gets its caret. */
async function explain(err: unknown, plan: TracePlan | null, io: TraceIo): Promise<{ message: string; details: string[] }> {
  if (err instanceof CliError) return { message: err.message, details: err.details };
  if (err instanceof ApiAnswerError) {
    if (err.status === 401 || err.status === 403) return { message: authMessage(err, plan), details: [] };
    const { column, length = 1 } = err.body;
    if (err.status === 400 && column !== undefined && plan && plan.where.length > 0) {
      const index = err.body.filterIndex ?? (plan.where.length === 1 ? 0 : await locateFilter(plan, io));
      const filter = index !== null ? plan.where[index] : undefined;
      if (index !== null && filter !== undefined) {
        const e = whereError([{ filter, index, diagnostic: { message: err.message, column, length } }], plan.where.length);
        return { message: e.message, details: e.details };
      }
    }
    return { message: `Tracedeck answered ${err.status}: ${err.message}`, details: [] };
  }
  return { message: err instanceof Error ? err.message : String(err), details: [] };
}

/** A refused token, in words that say what to do. */
function authMessage(err: ApiAnswerError, plan: TracePlan | null): string {
  const server = plan?.baseUrl ?? 'the server';
  if (err.status === 403) return `Tracedeck at ${server} refused the token: ${err.message}. Use a read token or a tenant-scoped key.`;
  if (plan?.token) return `Tracedeck at ${server} did not accept the token (${err.message}). Check --token / TRACEDECK_TOKEN.`;
  return `Tracedeck at ${server} requires a read token: pass --token <token> or set TRACEDECK_TOKEN.`;
}

/** Which of several --where filters the server rejects (asked one by one; only on that error path). */
async function locateFilter(plan: TracePlan, io: TraceIo): Promise<number | null> {
  const client = io.client(plan.baseUrl, plan.token);
  for (let i = 0; i < plan.where.length; i++) {
    try {
      await client.listTraces({ where: [plan.where[i]], limit: 1 });
    } catch (e) {
      if (e instanceof ApiAnswerError && e.status === 400) return i;
      return null;
    }
  }
  return null;
}

/** The trace with its gateway-internal spans folded into their parents, by the server's rules (Plano's defaults from an older server). */
function foldDetail(detail: TraceDetail): { detail: TraceDetail; folded: Map<string, number> } {
  const { spans, hiddenBy } = foldInternalSpans(detail.spans, detail.internalSpans ?? DEFAULT_INTERNAL_RULES);
  return { detail: { ...detail, spans }, folded: hiddenBy };
}
