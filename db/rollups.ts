/**
 * Chart rollups: the additive measures of `traces` per 5-minute granule and per hour,
 * by (tenant, model), by tenant and by model (table `trace_rollups`, `dims` 0/1/2), and
 * by (tenant, user) (`dims` 3; 4 = (tenant, user, model), only for the groups with
 * uncosted requests, which computed cost prices per model), with
 * log-bucketed duration and TTFT histograms (lib/metrics/histogram.ts) for percentiles.
 * Which measures, and their columns, come from the metric registry (lib/metrics/registry.ts:
 * the measures with a `rollup`; storedColumns() below).
 * db/queries/metrics-rollup.ts answers big chart ranges from them.
 *
 * Maintenance never touches ingest's hot path: the ingest statement only appends
 * the granules it changed to `rollup_dirty` (the trace's start after the batch, and
 * before it when a late span moved the start), and this in-process roller — one per
 * Db, like the catalog buffer — recomputes dirty granules from `traces` in the
 * background: claim (DELETE … RETURNING), rebuild the 5-minute rows and the hours
 * holding them, all in one transaction, so a crash leaves them dirty.
 *
 * Why rows without a key (no ON CONFLICT): with a key, a batch finding a granule
 * already dirty would add nothing, and could still be in flight when the roller
 * claims and recomputes that granule — its traces would be missed for good. An
 * appended row is invisible to a roller until its batch commits, so it survives
 * any claim made before, and a roller's recompute always starts after the commits
 * of the rows it claimed.
 *
 * A granule is rolled once it has been quiet for QUIET_MS, or dirty for MAX_AGE_MS
 * under continuous traffic; until then queries read it from `traces` (exact). On PGlite,
 * while ingest is heavy, only after HEAVY_MAX_AGE_MS: its one backend serves the appends
 * too, and a workload spread over a week re-rolled every granule every 30 s (~40 µs of
 * its CPU a span); the granules are rolled once the burst is over.
 *
 * User rows (the tenant page's per-user table and chart) weigh two costs:
 * - disk: users are many and each sends little (the bench: ~1 trace per user per 5 minutes,
 *   less in the tail), so a user row holds about one trace at 5 minutes and few at an hour:
 *   5-minute user rows kept forever would cost about a rollup row per trace.
 * - roller CPU under live traffic: a dirty granule is re-rolled within ~30 s, so hour rows
 *   rebuilt from `traces` at every pass would rescan the current hour every 30 s.
 * So: hour user rows always; 5-minute user rows only in the open hours — those that ended less
 * than `fiveMinuteKeepMs` ago by the database's clock (openHoursFrom()), where live traffic
 * lands. There the roller adds the user grouping sets to the scan it already makes of each dirty
 * granule and sums the hour from the 5-minute rows, as for the other dims. Older (sealed) hours keep
 * hour rows only: each pass drops their 5-minute user rows (an hour later, for the readers already
 * under way), and a late granule there is rebuilt with a scan of its whole hour — rare, and one
 * hour's traces. Readers (db/queries/metrics-rollup.ts) read sealed hours as hours, and the
 * granules they would read as 5-minute rows there (the range's ends, an hour holding a dirty
 * granule) from `traces`. Being open only ever turns into sealed as time passes, so a reader never
 * looks for 5-minute rows the roller did not write.
 * And hour user rows only for a tenant's hours with at least `hourMinTraces` traces: below that a
 * row holds about one trace (at 1M bench spans, rows for every tenant hour were 0.93 per trace,
 * ~310 B each, +40 B/span); readers read those hours from `traces` (a bounded few per hour), told by
 * the tenant's own hour row. Measured at 1M spans (bench, Postgres 15): 27.6k user rows, +11 B/span
 * with their indexes; the busiest tenant's 7-day table reads 24.6k hour rows instead of 30.7k traces.
 * At 10M its 309k traces a week fold into at most 400 users × 168 hours = 67k rows.
 *
 * Day rows (granule ROLLUP_DAY_MS, dims 3 and 4, user rows only) fold those hours once more for the
 * reads without buckets (the tenant page's users table: 400 users × 7 days instead of × 168 hours).
 * Written for sealed days only (ended before the first open hour), once the day holds no dirty
 * granule, and only for the tenant days with at least `dayMinTraces` traces: rollDay sums the user
 * hour rows and the traces of the tenant's quiet hours (those without user rows), so a day row equals
 * its day's traces, and writes the tenant's own day row (dims 1) beside them: what tells readers the
 * day has day rows (a tenant day below the limit has none; readers read its hours). Rebuilding any
 * granule deletes its day's rows in the same transaction, so readers (who read a day holding a dirty
 * granule as hours) never see a stale day; a later pass sums the day again. The roller looks for days
 * wanting rows at most once a minute (at every pass while it finds some), one day per transaction.
 */
import { type SQL, sql } from 'drizzle-orm';
import { jobLockKey } from './locks';
import { HIST_BINS } from '../lib/metrics/histogram';
import { type Measure, METRIC_NAMES } from '../lib/metrics/registry';
import type { Db } from './client';
import { binColumn, inputColumn, measuresFor, scalarAggregates, traceInputs } from './queries/metric-sql';
import { UNCOSTED_COLUMNS, uncostedInputs } from './rollup-cost';

/** Base granule (td_rollup_granule in db/migrations/0004 uses the same size). */
export const ROLLUP_GRANULE_MS = 300_000;
/** Second level, summed from the base granules. */
export const ROLLUP_HOUR_MS = 3_600_000;
/** `trace_rollups.dims`: what a row is grouped by (0-2: GROUPING(tenant_id, llm_model); 3, 4: with the user). */
export const DIMS = { tenantModel: 0, tenant: 1, model: 2, tenantUser: 3, tenantUserModel: 4 } as const;

/** Third level, user rows only: sealed whole days (UTC), summed from the hours. */
export const ROLLUP_DAY_MS = 86_400_000;

/** The defaults of userRollupLimits (see the module comment). */
const USER_LIMITS = { fiveMinuteKeepMs: 3_600_000, hourMinTraces: 100, dayMinTraces: 2_400 } as const;
/**
 * User rows: 5-minute rows are kept for the hours that ended less than `fiveMinuteKeepMs` ago;
 * hour rows exist for the (tenant, hour)s with at least `hourMinTraces` traces; day rows for the
 * sealed (tenant, day)s with at least `dayMinTraces`.
 */
export const userRollupLimits: { fiveMinuteKeepMs: number; hourMinTraces: number; dayMinTraces: number } = { ...USER_LIMITS };

/**
 * Tests: other user-row limits (null: the defaults). Set them before rolling: readers and the
 * roller must agree, and an hour sealed without 5-minute rows must never become open again.
 */
export function setUserRollupLimitsForTests(limits: Partial<typeof userRollupLimits> | null): void {
  Object.assign(userRollupLimits, USER_LIMITS, limits ?? {});
}

const QUIET_MS = 5_000;
const MAX_AGE_MS = 30_000;
/** Granules per roller transaction (short transactions: PGlite runs one at a time). */
const BATCH = 24;
const POLL_MS = 2_000;
const RETRY_MS = 30_000;
/** PGlite: ingest is heavy while the summarizer merged at least HEAVY_DELTAS deltas in the last HEAVY_WINDOW_MS. */
const HEAVY_DELTAS = 2_000;
const HEAVY_WINDOW_MS = 10_000;
const HEAVY_MAX_AGE_MS = 300_000;

const NS_PER_MS = 1_000_000n;
export const GRANULE_NS = BigInt(ROLLUP_GRANULE_MS) * NS_PER_MS;
export const HOUR_NS = BigInt(ROLLUP_HOUR_MS) * NS_PER_MS;
export const DAY_NS = BigInt(ROLLUP_DAY_MS) * NS_PER_MS;
/** How often a roller looks for sealed days without day rows (while it finds some: at every pass). */
const DAY_CHECK_MS = 60_000;

type Combine = 'sum' | 'min' | 'max';

/**
 * A `trace_rollups` column: its aggregate over the traces scan (traceInputs with
 * bins, as alias `t`), and how rows of it combine.
 */
export type StoredColumn = { name: string; fromTraces: SQL; combine: Combine | 'hist' };

const bins = (column: string) =>
  sql.raw(`ARRAY[${Array.from({ length: HIST_BINS }, (_, i) => `count(*) FILTER (WHERE t.${column} = ${i + 1})`).join(', ')}]::integer[]`);

/**
 * The columns storing the rolled-up ones of `measures` (the registry's `rollup`):
 * counts and sums with their estimates as `<column>` / `est_<column>`; percentiles
 * as a log-bucketed histogram with its exact min/max (which bound the first and
 * last bucket), `<histogram>_hist`, `_min_ms`, `_max_ms`.
 */
export function storedColumns(measures: readonly Measure[]): StoredColumn[] {
  return measures.flatMap((m): StoredColumn[] => {
    const a = m.aggregate;
    if (m.rollup === undefined) return [];
    if (a.kind === 'percentiles') {
      if (typeof m.rollup !== 'object') throw new Error(`${m.column}: percentiles roll up as a histogram`);
      const input = sql.raw(`t.${inputColumn(m)}`);
      const h = m.rollup.histogram;
      return [
        { name: `${h}_hist`, fromTraces: bins(binColumn(m)), combine: 'hist' },
        { name: `${h}_min_ms`, fromTraces: sql`min(${input})`, combine: 'min' },
        { name: `${h}_max_ms`, fromTraces: sql`max(${input})`, combine: 'max' },
      ];
    }
    if (a.kind === 'distinct') throw new Error(`${m.column}: distinct counts do not add up over granules`);
    const combine: Combine = a.kind === 'min' || a.kind === 'max' ? a.kind : 'sum';
    return scalarAggregates(m, { integer: true }).map((agg) => ({ name: agg.name, fromTraces: agg.sql, combine }));
  });
}

/** Every measure the roller stores: those of every metric and the cell measures. */
const ROLLED_MEASURES = measuresFor(new Set(METRIC_NAMES)).filter((m) => m.rollup !== undefined);
/** With the uncosted requests' token sums, which the charts' computed cost reads (./rollup-cost.ts). */
const ALL_COLUMNS = [...storedColumns(ROLLED_MEASURES), ...UNCOSTED_COLUMNS];

/** The aggregates of `columns` over the traces scan, named; `stored`: histograms trimmed (td_hist_trim). */
export function fromTraces(columns: readonly StoredColumn[], stored = false): SQL {
  return sql.join(
    columns.map((c) => sql`${stored && c.combine === 'hist' ? sql`td_hist_trim(${c.fromTraces})` : c.fromTraces} AS ${sql.raw(c.name)}`),
    sql`, `,
  );
}

/**
 * The aggregates combining rows of `alias` that carry `columns`: histograms summed
 * bucket by bucket (a NULL bucket — outside a stored run — counts 0), as float8 to
 * read on, or trimmed integers to store.
 */
export function combined(columns: readonly StoredColumn[], alias: string, histType: 'stored' | 'float8'): SQL {
  return sql.raw(
    columns
      .map((c) => {
        const col = `${alias}.${c.name}`;
        if (c.combine !== 'hist') return `${c.combine}(${col}) AS ${c.name}`;
        const sums = Array.from({ length: HIST_BINS }, (_, i) => `COALESCE(sum(${col}[${i + 1}]), 0)`).join(', ');
        return histType === 'float8' ? `ARRAY[${sums}]::float8[] AS ${c.name}` : `td_hist_trim(ARRAY[${sums}]::integer[]) AS ${c.name}`;
      })
      .join(', '),
  );
}

export const columnNames = (columns: readonly StoredColumn[]) => sql.raw(columns.map((c) => c.name).join(', '));
/** A bigint[] parameter (sent as text[], which every driver sends the same way). */
const bigints = (values: bigint[]) => sql`${sql.param(values.map(String))}::text[]::bigint[]`;
const big = (v: bigint) => sql`${v.toString()}::bigint`;
const EVERY_DIMS = sql.raw(Object.values(DIMS).join(', '));
const USER_DIMS = sql.raw(`${DIMS.tenantUser}, ${DIMS.tenantUserModel}`);
/** Day rows: the user rows, and the tenant's own (which readers look for). */
const DAY_DIMS = sql.raw(`${DIMS.tenant}, ${DIMS.tenantUser}, ${DIMS.tenantUserModel}`);
const MODEL_DIMS = sql.raw(`${DIMS.tenantModel}, ${DIMS.tenant}, ${DIMS.model}`);

/**
 * `dims` of a row of the GROUPING SETS below: GROUPING(tenant, model) for the (tenant, model) sets,
 * 3 / 4 for (tenant, user) / (tenant, user, model).
 */
const DIMS_OF_SET = sql.raw(
  `CASE WHEN GROUPING(t.user_id) = 0 THEN ${DIMS.tenantUserModel} - GROUPING(t.llm_model) ELSE GROUPING(t.tenant_id, t.llm_model) END`,
);
/** Keeps (tenant, user, model) groups only where they have uncosted requests: the only thing read from them (cost-rollup.ts). */
const USER_MODEL_ONLY_UNCOSTED = sql.raw(`(GROUPING(t.llm_model) = 1 OR count(*) FILTER (WHERE t.in_uncosted) > 0)`);

const MODEL_SETS = '(t.granule, t.tenant_id, t.llm_model), (t.granule, t.tenant_id), (t.granule, t.llm_model)';
const USER_SETS = '(t.granule, t.tenant_id, t.user_id), (t.granule, t.tenant_id, t.user_id, t.llm_model)';

/**
 * Inserts the rows of granules of `sizeMs` starting at `starts`, aggregated from `traces`
 * (one index range scan per granule), for the (tenant, model) grouping sets and/or the
 * user ones; `having` filters the groups (user sets only).
 */
async function rollFromTraces(
  tx: Pick<Db, 'rows'>,
  sizeMs: number,
  starts: bigint[],
  sets: { model: boolean; user: boolean },
  having: SQL,
  /** Over `traces t` and the granule `g.lo`. */
  scanFilter: SQL = sql`true`,
): Promise<void> {
  const sizeNs = BigInt(sizeMs) * NS_PER_MS;
  const groupingSets = [sets.model ? MODEL_SETS : null, sets.user ? USER_SETS : null].filter((x) => x !== null).join(', ');
  // GROUPING() only names grouping columns: without the user sets, user_id is not one.
  const dims = sets.user ? DIMS_OF_SET : sql.raw('GROUPING(t.tenant_id, t.llm_model)');
  await tx.rows(sql`
    INSERT INTO trace_rollups (granule_ms, bucket_ns, dims, tenant_id, llm_model, user_id, ${columnNames(ALL_COLUMNS)})
    SELECT ${sizeMs}::integer, t.granule, ${dims}, COALESCE(t.tenant_id, ''), t.llm_model, ${sets.user ? sql`t.user_id` : sql`NULL::text`},
      ${fromTraces(ALL_COLUMNS, true)}
    FROM (
      SELECT g.lo AS granule, x.*
      FROM unnest(${bigints(starts)}) AS g(lo)
      CROSS JOIN LATERAL (
        SELECT t.tenant_id, t.llm_model, t.user_id, ${traceInputs(ROLLED_MEASURES, { bins: true })}, ${uncostedInputs()} FROM traces t
        WHERE t.start_ns >= g.lo AND t.start_ns < g.lo + ${big(sizeNs)} AND ${scanFilter}
        OFFSET 0 -- one index range scan per granule, never flattened into a join
      ) x
    ) t
    GROUP BY GROUPING SETS (${sql.raw(groupingSets)})
    ${sets.user ? sql`HAVING ${having}` : sql``}`);
}

/**
 * Rebuilds the rollups of the given 5-minute granules, then of the hours holding them.
 * Keys are matched with `= ANY(array)` on the indexes' leading columns, so the plans
 * stay index scans whatever the statistics say (PGlite never analyzes on its own).
 * User rows: 5-minute rows (and hours summed from them) in the hours from `openFrom` on;
 * older (sealed) hours are rebuilt from `traces` as whole hours, without 5-minute rows.
 */
async function rebuild(tx: Pick<Db, 'rows'>, granules: bigint[], openFrom: bigint): Promise<void> {
  await tx.rows(sql`
    DELETE FROM trace_rollups WHERE granule_ms = ${ROLLUP_GRANULE_MS}::integer AND dims IN (${EVERY_DIMS}) AND bucket_ns = ANY(${bigints(granules)})`);
  await rollFromTraces(
    tx,
    ROLLUP_GRANULE_MS,
    granules,
    { model: true, user: granules.some((g) => g >= openFrom) },
    sql`GROUPING(t.user_id) = 1 OR (t.granule >= ${big(openFrom)} AND ${USER_MODEL_ONLY_UNCOSTED})`,
  );
  const hours = [...new Set(granules.map((g) => floorTo(g, HOUR_NS)))];
  const perHour = Number(HOUR_NS / GRANULE_NS);
  const granulesOfHours = hours.flatMap((h) => Array.from({ length: perHour }, (_, i) => h + BigInt(i) * GRANULE_NS));
  const H = sql`${HOUR_NS.toString()}::bigint`;
  await tx.rows(sql`
    DELETE FROM trace_rollups WHERE granule_ms = ${ROLLUP_HOUR_MS}::integer AND dims IN (${EVERY_DIMS}) AND bucket_ns = ANY(${bigints(hours)})`);
  const hourOf = sql`r.bucket_ns - ((r.bucket_ns % ${H}) + ${H}) % ${H}`;
  const sumHours = (dims: SQL, condition: SQL) =>
    tx.rows(sql`
      INSERT INTO trace_rollups (granule_ms, bucket_ns, dims, tenant_id, llm_model, user_id, ${columnNames(ALL_COLUMNS)})
      SELECT ${ROLLUP_HOUR_MS}::integer, ${hourOf}, r.dims, r.tenant_id, r.llm_model, r.user_id, ${combined(ALL_COLUMNS, 'r', 'stored')}
      FROM trace_rollups r
      WHERE r.granule_ms = ${ROLLUP_GRANULE_MS}::integer AND r.dims IN (${dims}) AND r.bucket_ns = ANY(${bigints(granulesOfHours)}) AND ${condition}
      GROUP BY 2, r.dims, r.tenant_id, r.llm_model, r.user_id`);
  await sumHours(MODEL_DIMS, sql`true`);
  // User hour rows only for the tenant's hours with enough traces (the tenant rows just written say).
  const busy = (tenant: SQL, hour: SQL) => sql`EXISTS (
    SELECT 1 FROM trace_rollups b WHERE b.granule_ms = ${ROLLUP_HOUR_MS}::integer AND b.dims = ${DIMS.tenant}::smallint
      AND b.tenant_id = ${tenant} AND b.bucket_ns = ${hour} AND b.requests >= ${userRollupLimits.hourMinTraces}::integer)`;
  if (hours.some((h) => h >= openFrom)) await sumHours(USER_DIMS, sql`r.bucket_ns >= ${big(openFrom)} AND ${busy(sql`r.tenant_id`, hourOf)}`);
  const sealed = hours.filter((h) => h < openFrom);
  if (sealed.length > 0)
    await rollFromTraces(tx, ROLLUP_HOUR_MS, sealed, { model: false, user: true }, USER_MODEL_ONLY_UNCOSTED, busy(sql`t.tenant_id`, sql`g.lo`));
  // Their days' rows summed hours that just changed: gone until the next day pass sums them again.
  const days = [...new Set(granules.map((g) => floorTo(g, DAY_NS)))];
  await tx.rows(sql`
    DELETE FROM trace_rollups WHERE granule_ms = ${ROLLUP_DAY_MS}::integer AND dims IN (${DAY_DIMS}) AND bucket_ns = ANY(${bigints(days)})`);
}

/**
 * The newest sealed day (ended before `openFrom`) still wanting day rows, and its tenants that want
 * them: at least `dayMinTraces` traces in their hour rows, no day rows yet, no dirty granule that day
 * (it would change the hours; the day waits until they are rolled).
 */
async function dayWantingRows(tx: Pick<Db, 'rows'>, openFrom: bigint): Promise<{ day: bigint; tenants: string[] } | null> {
  const D = big(DAY_NS);
  const [row] = await tx.rows<{ day: bigint | string; tenants: string }>(sql`
    SELECT x.day, json_agg(x.tenant_id ORDER BY x.tenant_id)::text AS tenants FROM (
      SELECT b.bucket_ns - ((b.bucket_ns % ${D}) + ${D}) % ${D} AS day, b.tenant_id, sum(b.requests) AS n
      FROM trace_rollups b
      WHERE b.granule_ms = ${ROLLUP_HOUR_MS}::integer AND b.dims = ${DIMS.tenant}::smallint AND b.bucket_ns < ${big(floorTo(openFrom, DAY_NS))}
      GROUP BY 1, 2
    ) x
    WHERE x.n >= ${userRollupLimits.dayMinTraces}::integer
      AND NOT EXISTS (SELECT 1 FROM trace_rollups m
        WHERE m.granule_ms = ${ROLLUP_DAY_MS}::integer AND m.dims = ${DIMS.tenant}::smallint AND m.tenant_id = x.tenant_id AND m.bucket_ns = x.day)
      AND NOT EXISTS (SELECT 1 FROM rollup_dirty d WHERE d.bucket_ns >= x.day AND d.bucket_ns < x.day + ${D})
    GROUP BY x.day ORDER BY x.day DESC LIMIT 1`);
  return row ? { day: BigInt(row.day), tenants: JSON.parse(row.tenants) as string[] } : null;
}

/**
 * Writes the day rows of `tenants` for sealed `day`: (tenant, user[, model]) summed from their hour
 * rows and from the traces of the tenant's hours too quiet for user rows (whose granules the readers
 * would read from traces), and the tenant's own day row, which tells readers the day has user rows.
 */
async function rollDay(tx: Pick<Db, 'rows'>, day: bigint, tenants: string[]): Promise<void> {
  const H = big(HOUR_NS);
  const ofDay = (a: string) =>
    sql`${sql.raw(a)}.tenant_id = ANY(${sql.param(tenants)}::text[]) AND ${sql.raw(a)}.bucket_ns >= ${big(day)} AND ${sql.raw(a)}.bucket_ns < ${big(day + DAY_NS)}`;
  await tx.rows(sql`
    INSERT INTO trace_rollups (granule_ms, bucket_ns, dims, tenant_id, llm_model, user_id, ${columnNames(ALL_COLUMNS)})
    SELECT ${ROLLUP_DAY_MS}::integer, ${big(day)}, u.dims, u.tenant_id, u.llm_model, u.user_id, ${combined(ALL_COLUMNS, 'u', 'stored')}
    FROM (
      SELECT r.dims, r.tenant_id, r.llm_model, r.user_id, ${columnNames(ALL_COLUMNS)} FROM trace_rollups r
      WHERE r.granule_ms = ${ROLLUP_HOUR_MS}::integer AND r.dims IN (${DAY_DIMS}) AND ${ofDay('r')}
      UNION ALL
      SELECT ${DIMS_OF_SET}, t.tenant_id, t.llm_model, t.user_id, ${fromTraces(ALL_COLUMNS, true)}
      FROM (
        SELECT x.* FROM trace_rollups q CROSS JOIN LATERAL (
          SELECT q.tenant_id, t.llm_model, t.user_id, ${traceInputs(ROLLED_MEASURES, { bins: true })}, ${uncostedInputs()} FROM traces t
          WHERE t.tenant_id = q.tenant_id AND t.start_ns >= q.bucket_ns AND t.start_ns < q.bucket_ns + ${H}
          OFFSET 0 -- one index range scan per quiet hour
        ) x
        WHERE q.granule_ms = ${ROLLUP_HOUR_MS}::integer AND q.dims = ${DIMS.tenant}::smallint AND ${ofDay('q')}
          AND q.requests < ${userRollupLimits.hourMinTraces}::integer
      ) t
      GROUP BY GROUPING SETS ((t.tenant_id, t.user_id), (t.tenant_id, t.user_id, t.llm_model))
      HAVING ${USER_MODEL_ONLY_UNCOSTED}
    ) u
    GROUP BY u.dims, u.tenant_id, u.llm_model, u.user_id`);
}

/**
 * The first hour whose 5-minute user rows are kept (by the database's clock, which every
 * process shares): the hours that ended less than `fiveMinuteKeepMs` ago, and later.
 */
export function openHoursFrom(): SQL {
  return sql`((floor(extract(epoch FROM now()) * 1000)::bigint - ${userRollupLimits.fiveMinuteKeepMs}::bigint) / ${ROLLUP_HOUR_MS}::bigint * ${HOUR_NS.toString()}::bigint)`;
}

/** Drops the 5-minute user rows of sealed hours (one hour of slack behind `openFrom`: a read that began earlier may still use them). */
async function sealOldHours(tx: Pick<Db, 'rows'>, openFrom: bigint): Promise<void> {
  await tx.rows(sql`
    DELETE FROM trace_rollups WHERE granule_ms = ${ROLLUP_GRANULE_MS}::integer AND dims IN (${USER_DIMS}) AND bucket_ns < ${big(openFrom - HOUR_NS)}`);
}

/** Start of the `size` granule holding `ns` (a floor, also before 1970). */
export function floorTo(ns: bigint, size: bigint): bigint {
  return ns - (((ns % size) + size) % size);
}

export function ceilTo(ns: bigint, size: bigint): bigint {
  const f = floorTo(ns, size);
  return f === ns ? f : f + size;
}

/** Granules rebuilt, whether another roller held the lock, whether a sealed day got its day rows. */
type Pass = { rolled: number; busy: boolean; dayRolled: boolean };

/**
 * Claims up to BATCH dirty granules (all of them with `force`, else the quiet or old
 * ones) and rebuilds them, in one transaction. One roller at a time across processes
 * (a try-lock): two could otherwise rebuild the same hour from each other's halves.
 * With `days` and fewer than BATCH granules claimed: also the day rows of one sealed day wanting them.
 */
async function rollOnce(db: Pick<Db, 'transaction'>, force: boolean, heavy = false, days = false): Promise<Pass> {
  return db.transaction(async (tx) => {
    // JIT off: the planner's estimates for these many-aggregate statements trip jit_above_cost,
    // and compiling them took ~0.6 s for ~40 ms of work (Postgres 15).
    const [lock] = await tx.rows<{ ok: boolean; open_from: bigint | string }>(sql`
      SELECT pg_try_advisory_xact_lock(${jobLockKey('rollups')}) AS ok, ${tx.kind === 'postgres' ? sql`set_config('jit', 'off', true)` : sql`NULL`} AS jit,
        ${openHoursFrom()} AS open_from`);
    if (!lock?.ok) return { rolled: 0, busy: true, dayRolled: false };
    const openFrom = BigInt(lock.open_from);
    await sealOldHours(tx, openFrom);
    const due = force
      ? sql`true`
      : heavy
        ? sql`min(marked_at) < now() - ${`${HEAVY_MAX_AGE_MS} milliseconds`}::interval`
        : sql`max(marked_at) < now() - ${`${QUIET_MS} milliseconds`}::interval OR min(marked_at) < now() - ${`${MAX_AGE_MS} milliseconds`}::interval`;
    // Newest first: recent ranges are the ones charts ask for.
    const claimed = await tx.rows<{ bucket_ns: bigint | string }>(sql`
      DELETE FROM rollup_dirty d
      WHERE d.bucket_ns IN (
        SELECT bucket_ns FROM rollup_dirty GROUP BY bucket_ns HAVING ${due} ORDER BY bucket_ns DESC LIMIT ${BATCH}::integer)
      RETURNING d.bucket_ns`);
    const granules = [...new Set(claimed.map((r) => BigInt(r.bucket_ns)))];
    if (granules.length > 0) await rebuild(tx, granules, openFrom);
    const day = days && granules.length < BATCH ? await dayWantingRows(tx, openFrom) : null;
    if (day) await rollDay(tx, day.day, day.tenants);
    return { rolled: granules.length, busy: false, dayRolled: day !== null };
  });
}

class Roller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private lastTick = 0;
  /** When this roller last looked for sealed days wanting day rows (0: look at the next pass). */
  private lastDayCheck = 0;
  private failing = false;
  private paused = false;
  /** Deltas the summarizer merged lately (PGlite only), by when: what tells heavy ingest. */
  private merged: { at: number; deltas: number }[] = [];

  constructor(private readonly db: Pick<Db, 'rows' | 'transaction'>) {}

  noteMerged(deltas: number): void {
    if ((this.db as Partial<Db>).kind !== 'pglite') return;
    this.merged.push({ at: Date.now(), deltas });
    this.forgetOld();
  }

  private ingestIsHeavy(): boolean {
    this.forgetOld();
    return this.merged.reduce((sum, m) => sum + m.deltas, 0) >= HEAVY_DELTAS;
  }

  private forgetOld(): void {
    const since = Date.now() - HEAVY_WINDOW_MS;
    while (this.merged.length > 0 && this.merged[0].at < since) this.merged.shift();
  }

  pause(paused: boolean): void {
    this.paused = paused;
    if (paused && this.timer) clearTimeout(this.timer);
    if (paused) this.timer = null;
  }

  /** Runs a tick within `delayMs` unless one is already scheduled. */
  schedule(delayMs: number): void {
    if (this.paused || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, delayMs);
    this.timer.unref?.();
  }

  /** From a chart query: look for work left by another process (at most every POLL_MS). */
  poke(): void {
    if (Date.now() - this.lastTick >= POLL_MS) this.schedule(0);
  }

  private tick(): Promise<unknown> {
    this.lastTick = Date.now();
    this.chain = this.chain.then(async () => {
      try {
        const heavy = this.ingestIsHeavy();
        const days = !heavy && Date.now() - this.lastDayCheck >= DAY_CHECK_MS;
        const pass = await rollOnce(this.db, false, heavy, days);
        // Found one: look again at the next pass, until none is left.
        if (days && !pass.busy) this.lastDayCheck = pass.dayRolled ? 0 : Date.now();
        this.failing = false;
        if (pass.rolled >= BATCH || pass.dayRolled) this.schedule(0);
        else if (pass.busy || (await this.pending())) this.schedule(POLL_MS);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (/closed/i.test(message)) return; // the database went away (shutdown, end of a test)
        if (!this.failing) console.error(`[tracedeck] chart rollup update failed (charts read traces meanwhile; retrying): ${message}`);
        this.failing = true;
        this.schedule(RETRY_MS);
      }
    });
    return this.chain;
  }

  private async pending(): Promise<boolean> {
    const [row] = await this.db.rows<{ any: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM rollup_dirty) AS any`);
    return Boolean(row?.any);
  }

  /** Rolls every dirty granule now, whatever its age; resolves with the number rolled. */
  drain(): Promise<number> {
    const run = this.chain.then(async () => {
      let total = 0;
      for (;;) {
        const pass = await rollOnce(this.db, true, false, true);
        total += pass.rolled;
        if (pass.busy) await new Promise((resolve) => setTimeout(resolve, 50));
        else if (pass.rolled === 0 && !pass.dayRolled) return total;
      }
    });
    this.chain = run.catch(() => {});
    return run;
  }
}

const rollers = new WeakMap<object, Roller>();

function rollerFor(db: Pick<Db, 'rows' | 'transaction'>): Roller {
  let roller = rollers.get(db);
  if (!roller) rollers.set(db, (roller = new Roller(db)));
  return roller;
}

/** After a summarizer run that merged `deltas`: roll their granules once they have been quiet a while. */
export function scheduleRollups(db: Pick<Db, 'rows' | 'transaction'>, deltas = 0): void {
  const roller = rollerFor(db);
  roller.noteMerged(deltas);
  roller.schedule(QUIET_MS + 250);
}

/** From a chart query: make sure a roller runs here (work may be left by another process). */
export function pokeRollups(db: Pick<Db, 'rows'>): void {
  if (typeof (db as Partial<Db>).transaction === 'function') rollerFor(db as Pick<Db, 'rows' | 'transaction'>).poke();
}

/** Rolls every dirty granule now, and the day rows of every sealed day wanting them (tests, benchmarks, tools). Resolves with the number of granules rolled. */
export function drainRollups(db: Pick<Db, 'rows' | 'transaction'>): Promise<number> {
  return rollerFor(db).drain();
}

/** Stops (or resumes) background rolling for `db`; drainRollups still works. */
export function pauseRollups(db: Pick<Db, 'rows' | 'transaction'>, paused = true): void {
  rollerFor(db).pause(paused);
}
