/**
 * Sessions (GET /api/sessions, /sessions): the traces of one conversation grouped by
 * tenant and session key. A trace's session key is the first of the configured keys
 * (`session.id`, `plano.session_id`, `gen_ai.conversation.id` by default) that any of
 * its spans carries, read from the trace's attribute set — so it works when only the
 * root span carries the id, and no span is read. (`traces.session_id` is filled from
 * `session.id` only, so it cannot answer the other keys.)
 *
 * Every statement reads `traces` with its time range (partition pruning) and a
 * candidate test compiled by the `where` compiler (`key exists`, a GIN probe), so
 * traces without any session key are skipped before the key is computed. Computed
 * cost is priced in SQL at query time like everywhere else (db/queries/cost.ts).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { PriceBook } from '../../lib/pricing/price-book';
import type { SessionSort } from '../../lib/sessions/types';
import type { Literal, WhereExpr } from '../../lib/where/ast';
import { compileTraceFilter, traceAttributeValues } from '../../lib/where/sql-compiler';
import type { Db } from '../client';
import { summariesCaughtUp } from '../summarizer';
import { UNCOSTED_TRACE, priceRows, pricesTable, tracePriceLookup, uncostedModels } from './cost';
import { timeRangeCondition } from './list-traces';
import { setText } from './trace-set';

export type SessionQuery = { filter: SQL | null; fromNs: bigint; toNs: bigint; keys: readonly string[] };

type Num = bigint | number | string | null;

export type SessionRow = {
  sessionId: string;
  tenantId: string;
  users: string[];
  firstNs: bigint;
  lastNs: bigint;
  turns: number;
  inputTokens: number | null;
  outputTokens: number | null;
  reportedUsd: number | null;
  computedUsd: number | null;
  unpriced: number;
  errors: number;
  ttftP95Ms: number | null;
};

export type TurnRow = {
  traceId: string;
  tenantId: string;
  startNs: bigint;
  durationNs: bigint;
  rootName: string;
  model: string | null;
  route: string | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  reportedUsd: number | null;
  cachedTokens: number | null;
  cacheCreationTokens: number | null;
  reasoningTokens: number | null;
  statusCode: number | null;
  errorCount: number;
  preview: string | null;
  userId: string | null;
};

const NOWHERE = { start: 0, end: 0 };

/** OR of the given leaves (a where AST built here, never parsed from user text). */
function anyOf(leaves: WhereExpr[]): WhereExpr {
  return leaves.reduce((left, right) => ({ type: 'or', left, right, loc: NOWHERE }));
}

function compiled(expr: WhereExpr): SQL {
  const out = compileTraceFilter(expr);
  if (!out.ok) throw new Error(`session filter refused: ${out.error.message}`);
  return out.sql;
}

/** Some span of the trace carries one of the keys (the compiler's `key exists`). */
export function carriesSessionKey(keys: readonly string[]): SQL {
  return compiled(anyOf(keys.map((key) => ({ type: 'exists', field: { kind: 'attribute', key, loc: NOWHERE }, negated: false, loc: NOWHERE }))));
}

/** Some span carries `id` under one of the keys (`key = "id"` each: GIN containment probes). */
function carriesSessionId(keys: readonly string[], id: string): SQL {
  const value: Literal = { kind: 'string', text: id, quoted: true, loc: NOWHERE };
  return compiled(anyOf(keys.map((key) => ({ type: 'compare', field: { kind: 'attribute', key, loc: NOWHERE }, op: '=', value, loc: NOWHERE }))));
}

/** The trace's session key: the first key present wins, its first stored value. */
export function sessionKeyOf(keys: readonly string[]): SQL {
  const firstValue = (key: string) => sql`(SELECT v.s FROM ${traceAttributeValues(key)} v LIMIT 1)`;
  return sql`COALESCE(${sql.join(keys.map(firstValue), sql`, `)})`;
}

const inRange = (q: SessionQuery, extra: SQL) => sql.join([timeRangeCondition(q, sql`t.start_ns`), q.filter ?? sql`true`, extra], sql` AND `);

/** A turn failed: an error span, or an HTTP status ≥ 400. */
const FAILED = sql`(t.error_count > 0 OR t.http_status_code >= 400)`;

/** ORDER BY of each sort key over the grouped rows (ties: most recent, then tenant and id). */
const SORT_EXPR: Record<SessionSort['key'], SQL> = {
  session: sql`sid`,
  tenant: sql`tenant_id`,
  user: sql`users[1]`,
  first: sql`first_ns`,
  last: sql`last_ns`,
  turns: sql`turns`,
  tokens: sql`(COALESCE(input, 0) + COALESCE(output, 0))`,
  cost: sql`CASE WHEN reported IS NULL AND computed IS NULL THEN NULL ELSE COALESCE(reported, 0) + COALESCE(computed, 0) END`,
  errors: sql`errors`,
  ttft: sql`ttft_p95`,
};

/** The prices of the models this session read may need to compute, as one table expression. */
async function sessionPrices(db: Pick<Db, 'rows'>, q: SessionQuery, candidates: SQL, book: PriceBook): Promise<SQL> {
  const filter = q.filter ? sql`${q.filter} AND ${candidates}` : candidates;
  const models = await uncostedModels(db, { filter, fromNs: q.fromNs, toNs: q.toNs });
  return pricesTable(JSON.stringify(priceRows(models, book)));
}

/**
 * Sessions in range and filter, per (tenant, session key), sorted; `limit + 1` rows are
 * read so the caller can tell the list was cut. A session counts the turns in range only.
 */
export async function listSessions(
  db: Pick<Db, 'rows'>,
  q: SessionQuery & { sort: SessionSort; limit: number; sessionId?: string },
  book: PriceBook,
): Promise<SessionRow[]> {
  await summariesCaughtUp(db);
  const key = sessionKeyOf(q.keys);
  const candidates = q.sessionId === undefined ? carriesSessionKey(q.keys) : sql`${carriesSessionId(q.keys, q.sessionId)} AND ${key} = ${q.sessionId}`;
  const prices = await sessionPrices(db, q, candidates, book);
  const dir = q.sort.direction === 'desc' ? sql`DESC NULLS LAST` : sql`ASC NULLS LAST`;
  const rows = await db.rows<Record<string, unknown>>(sql`
    WITH prices AS ${prices},
    w AS MATERIALIZED (
      SELECT t.tenant_id, ${key} AS sid, t.user_id, t.start_ns, t.start_ns + t.duration_ns AS end_ns,
        t.prompt_tokens, t.completion_tokens, t.cost_usd, t.ttft_ms, ${FAILED} AS failed, ${UNCOSTED_TRACE} AS uncosted,
        CASE WHEN ${UNCOSTED_TRACE} THEN ${tracePriceLookup(sql`prices`)} END AS computed
      FROM traces t WHERE ${inRange(q, candidates)}
    ),
    g AS (
      SELECT w.tenant_id, w.sid,
        array_agg(DISTINCT w.user_id ORDER BY w.user_id) FILTER (WHERE w.user_id IS NOT NULL) AS users,
        min(w.start_ns) AS first_ns, max(w.end_ns) AS last_ns, count(*) AS turns,
        sum(w.prompt_tokens) AS input, sum(w.completion_tokens) AS output,
        sum(w.cost_usd) AS reported, sum(w.computed) AS computed,
        count(*) FILTER (WHERE w.uncosted AND w.computed IS NULL) AS unpriced,
        count(*) FILTER (WHERE w.failed) AS errors,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY w.ttft_ms) AS ttft_p95
      FROM w WHERE w.sid IS NOT NULL GROUP BY w.tenant_id, w.sid
    )
    SELECT * FROM g
    ORDER BY ${SORT_EXPR[q.sort.key]} ${dir}, last_ns DESC, tenant_id, sid
    LIMIT ${q.limit + 1}`);
  return rows.map(sessionRow);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v as Num));
const int = (v: unknown): number => Number((v ?? 0) as Num);
const big = (v: unknown): bigint => BigInt(v as bigint | number | string);

/** A text[] from either driver (an array, or the '{a,"b c"}' text form). */
function texts(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string' || v.length < 2) return [];
  const out: string[] = [];
  for (const m of v.slice(1, -1).matchAll(/"((?:[^"\\]|\\.)*)"|([^,]+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}

function sessionRow(r: Record<string, unknown>): SessionRow {
  return {
    sessionId: String(r.sid),
    tenantId: String(r.tenant_id),
    users: texts(r.users),
    firstNs: big(r.first_ns),
    lastNs: big(r.last_ns),
    turns: int(r.turns),
    inputTokens: num(r.input),
    outputTokens: num(r.output),
    reportedUsd: num(r.reported),
    computedUsd: num(r.computed),
    unpriced: int(r.unpriced),
    errors: int(r.errors),
    ttftP95Ms: num(r.ttft_p95),
  };
}

/** Plano's keys read per turn. */
export const TURN_KEYS = { route: 'plano.route.name', preview: 'llm.user_message_preview' } as const;

/** The turns (traces) of session `sessionId` in range and filter, oldest first; `limit + 1` rows read. */
export async function sessionTurns(db: Pick<Db, 'rows'>, q: SessionQuery & { sessionId: string; limit: number }): Promise<TurnRow[]> {
  await summariesCaughtUp(db);
  const match = sql`${carriesSessionId(q.keys, q.sessionId)} AND ${sessionKeyOf(q.keys)} = ${q.sessionId}`;
  const rows = await db.rows<Record<string, unknown>>(sql`
    SELECT t.trace_id, t.tenant_id, t.start_ns, t.duration_ns, t.root_name, t.llm_model, t.ttft_ms,
      t.prompt_tokens, t.completion_tokens, t.cost_usd, t.http_status_code, t.error_count, t.user_id,
      t.cached_input_tokens AS cached, t.cache_creation_tokens AS creation, t.reasoning_tokens AS reasoning,
      ${setText(TURN_KEYS.route)} AS route, ${setText(TURN_KEYS.preview)} AS preview
    FROM traces t WHERE ${inRange(q, match)}
    ORDER BY t.start_ns, t.trace_id, t.tenant_id
    LIMIT ${q.limit + 1}`);
  return rows.map((r) => ({
    traceId: String(r.trace_id),
    tenantId: String(r.tenant_id),
    startNs: big(r.start_ns),
    durationNs: big(r.duration_ns),
    rootName: String(r.root_name ?? ''),
    model: (r.llm_model as string | null) ?? null,
    route: (r.route as string | null) ?? null,
    ttftMs: num(r.ttft_ms),
    inputTokens: num(r.prompt_tokens),
    outputTokens: num(r.completion_tokens),
    reportedUsd: num(r.cost_usd),
    cachedTokens: num(r.cached),
    cacheCreationTokens: num(r.creation),
    reasoningTokens: num(r.reasoning),
    statusCode: num(r.http_status_code),
    errorCount: int(r.error_count),
    preview: (r.preview as string | null) ?? null,
    userId: (r.user_id as string | null) ?? null,
  }));
}
