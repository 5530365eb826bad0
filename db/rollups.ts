/**
 * Chart rollups: the additive measures of `traces` per 5-minute granule and per hour,
 * by (tenant, model), by tenant and by model (table `trace_rollups`, `dims` 0/1/2), with
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
/** `trace_rollups.dims`: which of (tenant, model) a row is grouped by (GROUPING(tenant_id, llm_model)). */
export const DIMS = { tenantModel: 0, tenant: 1, model: 2 } as const;

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

/**
 * Rebuilds the rollups of the given 5-minute granules, then of the hours holding them.
 * Keys are matched with `= ANY(array)` on the indexes' leading columns, so the plans
 * stay index scans whatever the statistics say (PGlite never analyzes on its own).
 */
async function rebuild(tx: Pick<Db, 'rows'>, granules: bigint[]): Promise<void> {
  await tx.rows(sql`
    DELETE FROM trace_rollups WHERE granule_ms = ${ROLLUP_GRANULE_MS}::integer AND dims IN (0, 1, 2) AND bucket_ns = ANY(${bigints(granules)})`);
  await tx.rows(sql`
    INSERT INTO trace_rollups (granule_ms, bucket_ns, dims, tenant_id, llm_model, ${columnNames(ALL_COLUMNS)})
    SELECT ${ROLLUP_GRANULE_MS}::integer, t.granule, GROUPING(t.tenant_id, t.llm_model), COALESCE(t.tenant_id, ''), t.llm_model,
      ${fromTraces(ALL_COLUMNS, true)}
    FROM (
      SELECT g.lo AS granule, x.*
      FROM unnest(${bigints(granules)}) AS g(lo)
      CROSS JOIN LATERAL (
        SELECT t.tenant_id, t.llm_model, ${traceInputs(ROLLED_MEASURES, { bins: true })}, ${uncostedInputs()} FROM traces t
        WHERE t.start_ns >= g.lo AND t.start_ns < g.lo + ${GRANULE_NS.toString()}::bigint
        OFFSET 0 -- one index range scan per granule, never flattened into a join
      ) x
    ) t
    GROUP BY GROUPING SETS ((t.granule, t.tenant_id, t.llm_model), (t.granule, t.tenant_id), (t.granule, t.llm_model))`);
  const hours = [...new Set(granules.map((g) => floorTo(g, HOUR_NS)))];
  const perHour = Number(HOUR_NS / GRANULE_NS);
  const granulesOfHours = hours.flatMap((h) => Array.from({ length: perHour }, (_, i) => h + BigInt(i) * GRANULE_NS));
  const H = sql`${HOUR_NS.toString()}::bigint`;
  await tx.rows(sql`
    DELETE FROM trace_rollups WHERE granule_ms = ${ROLLUP_HOUR_MS}::integer AND dims IN (0, 1, 2) AND bucket_ns = ANY(${bigints(hours)})`);
  await tx.rows(sql`
    INSERT INTO trace_rollups (granule_ms, bucket_ns, dims, tenant_id, llm_model, ${columnNames(ALL_COLUMNS)})
    SELECT ${ROLLUP_HOUR_MS}::integer, r.bucket_ns - ((r.bucket_ns % ${H}) + ${H}) % ${H}, r.dims, r.tenant_id, r.llm_model,
      ${combined(ALL_COLUMNS, 'r', 'stored')}
    FROM trace_rollups r
    WHERE r.granule_ms = ${ROLLUP_GRANULE_MS}::integer AND r.dims IN (0, 1, 2) AND r.bucket_ns = ANY(${bigints(granulesOfHours)})
    GROUP BY 2, r.dims, r.tenant_id, r.llm_model`);
}

/** Start of the `size` granule holding `ns` (a floor, also before 1970). */
export function floorTo(ns: bigint, size: bigint): bigint {
  return ns - (((ns % size) + size) % size);
}

export function ceilTo(ns: bigint, size: bigint): bigint {
  const f = floorTo(ns, size);
  return f === ns ? f : f + size;
}

type Pass = { rolled: number; busy: boolean };

/**
 * Claims up to BATCH dirty granules (all of them with `force`, else the quiet or old
 * ones) and rebuilds them, in one transaction. One roller at a time across processes
 * (a try-lock): two could otherwise rebuild the same hour from each other's halves.
 */
async function rollOnce(db: Pick<Db, 'transaction'>, force: boolean, heavy = false): Promise<Pass> {
  return db.transaction(async (tx) => {
    // JIT off: the planner's estimates for these many-aggregate statements trip jit_above_cost,
    // and compiling them took ~0.6 s for ~40 ms of work (Postgres 15).
    const [lock] = await tx.rows<{ ok: boolean }>(sql`
      SELECT pg_try_advisory_xact_lock(${jobLockKey('rollups')}) AS ok, ${tx.kind === 'postgres' ? sql`set_config('jit', 'off', true)` : sql`NULL`} AS jit`);
    if (!lock?.ok) return { rolled: 0, busy: true };
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
    if (granules.length > 0) await rebuild(tx, granules);
    return { rolled: granules.length, busy: false };
  });
}

class Roller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private lastTick = 0;
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
        const pass = await rollOnce(this.db, false, this.ingestIsHeavy());
        this.failing = false;
        if (pass.rolled >= BATCH) this.schedule(0);
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
        const pass = await rollOnce(this.db, true);
        total += pass.rolled;
        if (pass.busy) await new Promise((resolve) => setTimeout(resolve, 50));
        else if (pass.rolled === 0) return total;
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

/** Rolls every dirty granule now (tests, benchmarks, tools). Resolves with the number of granules rolled. */
export function drainRollups(db: Pick<Db, 'rows' | 'transaction'>): Promise<number> {
  return rollerFor(db).drain();
}

/** Stops (or resumes) background rolling for `db`; drainRollups still works. */
export function pauseRollups(db: Pick<Db, 'rows' | 'transaction'>, paused = true): void {
  rollerFor(db).pause(paused);
}
