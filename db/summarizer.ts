/**
 * The summarizer: builds trace summaries (`traces`) off the request path, in bulk.
 *
 * Ingest appends, with each batch's spans and in the same transaction, one delta per
 * trace (`trace_deltas`: the partial summary of the spans that batch newly stored).
 * A pass claims up to PASS_LIMIT deltas (DELETE … RETURNING), combines those of one
 * trace, merges them into `traces` and marks the chart granules they changed
 * (`rollup_dirty`), all in one statement of one transaction; then it moves tenant-less
 * spans into the tenant their trace turned out to have. The deltas are the durable
 * cursor: a crash or `kill -9` at any point either commits a pass whole or leaves its
 * deltas for the next one, so nothing acknowledged is lost and nothing counts twice,
 * and a restarted process catches up from what is left.
 *
 * One pass at a time across processes (a transaction-scoped advisory try-lock, released
 * when its holder commits or dies), so several servers on one database share the work
 * without merging the same trace concurrently. Any process may run the next pass.
 *
 * When: on Postgres a commit wakes a pass at once (behind the one in flight, at most one
 * queued: a pass covers every batch committed before it claims); a pass that finds the lock
 * held tries again within BUSY_RETRY_MS while this process has appended since; a started
 * process also looks for deltas every POLL_MS (other processes', or a crash's). What bounds
 * the lag is then the time a pass takes (PASS_LIMIT keeps it short under a backlog).
 *
 * Reads in the process that ingested wait for their own writes (`summariesCaughtUp`, at
 * most READ_WAIT_MS): what a client stored is what it then lists. Other processes see
 * it once the pass that claims it commits.
 */
import { sql } from 'drizzle-orm';
import { jobLockKey } from './locks';
import type { Db } from './db';
import { scheduleRollups } from './rollups';
import { deltaSummaryAggregate, insertSummaries, mergedSummaries, SPAN_SUMMARY_SOURCE, spanSummaryAggregate } from './trace-summary';

/**
 * Deltas merged per pass (one transaction). Bounds a pass under a backlog (~1 s of 20k spans/s): the
 * oldest deltas commit after one short pass rather than one long one, and the next starts at once.
 */
const PASS_LIMIT = 2_000;
/** PGlite: after an append, the next pass starts within this (appends in between share it). */
const SOON_MS = 200;
/** While another process holds the pass lock and this one has appended since its last pass: try again this soon. */
const BUSY_RETRY_MS = 50;
/**
 * Look for deltas other processes (or a crashed one) left, this often, while started: one index probe,
 * and a pass only when there are some. A writer wakes its own pass; this lets an idle process help.
 */
const POLL_MS = 250;
const RETRY_MS = 5_000;
/**
 * Deltas merged by this process between two VACUUMs of trace_deltas under sustained ingest. Each
 * merged delta leaves a dead row of ~1.7 KB until then, so this bounds the table at ~17 MB.
 */
const VACUUM_EVERY = 10_000;
/** A read waits at most this long for this process's own writes to be summarized. */
const READ_WAIT_MS = 2_000;

/** What the summarizer uses of a client; `kind` when known (ingest passes any client it was given). */
type Db2 = Pick<Db, 'rows' | 'transaction'> & Partial<Pick<Db, 'kind'>>;
type Tx = Pick<Db, 'rows' | 'kind'>;
type Pass = { merged: number; busy: boolean };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** One pass: claim, combine, merge, mark granules, adopt. `busy` when another process holds the pass lock. */
async function summarizeOnce(db: Pick<Db, 'transaction'>): Promise<Pass> {
  return db.transaction(async (tx) => {
    const pglite = tx.kind === 'pglite';
    const lock = tx.rows<{ ok: boolean }>(lockStatement(pglite));
    // The merge claims nothing unless the lock statement took the lock (it reads the flag that one set).
    // On Postgres both go out at once, pipelined on the transaction's connection: a round trip less
    // per pass, which is what a pass mostly waited for in a busy ingesting process (its event loop
    // answered each round trip 0.2–0.5 s late on a loaded machine). The merge is still a statement
    // of its own, after the lock's: its snapshot must be taken once the lock is held, or it could miss
    // what the previous holder's pass committed. On PGlite one after the other, as its queries go anyway.
    const merge = () => tx.rows<{ merged: bigint | number; adopt: string[] | null }>(mergeStatement(), { prepare: pglite });
    const [[locked], [result]] = pglite ? [await lock, await merge()] : await Promise.all([lock, merge()]);
    if (!locked?.ok) return { merged: 0, busy: true };
    const merged = Number(result?.merged ?? 0);
    if (result?.adopt?.length) await adoptUntenantedSpans(tx, result.adopt);
    return { merged, busy: false };
  });
}

/** The flag (transaction-local) that tells the merge statement this transaction holds the pass lock. */
const LOCKED_FLAG = 'tracedeck.summarizer_locked';

/**
 * Takes the pass lock (if free) and sets the pass's planner settings, local to the transaction.
 * JIT off: these many-aggregate statements trip jit_above_cost and compiling them cost far more than running them.
 * A pass touches a few thousand traces among millions: index probes, never a hash join over a
 * day's partitions. The statistics of a table emptied every second (trace_deltas) or of a fresh
 * partition mislead the planner into exactly that, so joins are nested loops here. (Settings in the
 * lock's statement: one round trip less, which on PGlite is time the worker thread would wait for
 * the main thread while every append waits for this transaction.)
 * On PGlite the merge is a prepared statement, planned once (a generic plan): planning it took
 * 5–9 ms of the one backend every pass. (Postgres plans it per pass, on a core of its own.)
 */
function lockStatement(pglite: boolean) {
  return sql`
    SELECT locked.ok, set_config(${LOCKED_FLAG}, locked.ok::text, true) AS flag,
      ${pglite ? sql`set_config('plan_cache_mode', 'force_generic_plan', true)` : sql`set_config('jit', 'off', true)`} AS plans,
      set_config('enable_hashjoin', 'off', true) AS hashjoin, set_config('enable_mergejoin', 'off', true) AS mergejoin
    FROM (SELECT pg_try_advisory_xact_lock(${jobLockKey('summarizer')}) AS ok) locked`;
}

/**
 * How far from a delta's time range a trace's stored summary row is looked for. Summaries are
 * partitioned by day on their start, so an unbounded probe would visit every day; a trace whose
 * spans are more than this apart gets a second summary row (as in Tempo, a trace is assembled
 * within a window).
 */
const MERGE_WINDOW_NS = 86_400_000_000_000n;

function mergeStatement() {
  return sql`
    WITH claimed AS (
      DELETE FROM trace_deltas
      WHERE current_setting(${LOCKED_FLAG}, true) = 'true'
        AND seq = ANY (ARRAY(SELECT seq FROM trace_deltas ORDER BY seq LIMIT ${PASS_LIMIT}::integer))
      RETURNING *
    ),
    per_trace AS (${deltaSummaryAggregate(sql`claimed`)}),
    -- The stored summaries of those traces, taken out to be written back merged (a trace's start may
    -- move it to another day's partition, which an in-place update cannot do).
    stored AS (
      DELETE FROM traces t USING per_trace p
      WHERE t.tenant_id = p.tenant_id AND t.trace_id = p.trace_id
        AND t.start_ns BETWEEN p.start_ns - ${MERGE_WINDOW_NS}::bigint AND p.end_ns + ${MERGE_WINDOW_NS}::bigint
      RETURNING t.*
    ),
    summary AS (${insertSummaries(mergedSummaries(sql`per_trace`, sql`stored`))} RETURNING start_ns),
    -- Chart rollups (db/rollups.ts): the granules of each trace's start before and after the merge.
    dirty AS (
      INSERT INTO rollup_dirty (bucket_ns)
      SELECT DISTINCT td_rollup_granule(start_ns) FROM (SELECT start_ns FROM summary UNION ALL SELECT start_ns FROM stored) s
    ),
    -- Traces whose tenant-less spans may now move into a tenant (adoptUntenantedSpans checks both exist):
    -- a batch naming the tenant that may adopt (not a tenant-scoped key's), or tenant-less spans that
    -- came after their trace's tenant did (the request path joins them when the trace was summarized already).
    adoptable AS (
      SELECT trace_id FROM per_trace WHERE tenant_id <> '' AND may_adopt
      UNION ALL
      SELECT e.trace_id FROM per_trace e WHERE e.tenant_id = '' AND (
        EXISTS (SELECT 1 FROM traces o WHERE o.trace_id = e.trace_id AND o.tenant_id <> '')
        OR EXISTS (SELECT 1 FROM per_trace x WHERE x.trace_id = e.trace_id AND x.tenant_id <> '' AND x.first_seq < e.last_seq))
    )
    SELECT (SELECT count(*) FROM claimed) AS merged, (SELECT array_agg(DISTINCT trace_id) FROM adoptable) AS adopt`;
}

/**
 * Spans of a trace stored before any span told its tenant sit under tenant ''. Once the
 * trace has a tenant's summary as well, move them there (dropping copies that already
 * exist under it) and rebuild that trace's summary from its spans.
 */
async function adoptUntenantedSpans(tx: Tx, traceIds: string[]): Promise<void> {
  const pairs = await tx.rows<{ trace_id: string; tenant_id: string }>(sql`
    SELECT o.trace_id, min(t.tenant_id) AS tenant_id
    FROM traces o JOIN traces t ON t.trace_id = o.trace_id AND t.tenant_id <> ''
    WHERE o.tenant_id = '' AND o.trace_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(traceIds)}::jsonb))
    GROUP BY o.trace_id`);
  if (pairs.length === 0) return;
  const pairsTable = sql`(SELECT * FROM jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS p(trace_id text, tenant_id text))`;
  await tx.rows(sql`
    DELETE FROM spans s USING ${pairsTable} p
    WHERE s.tenant_id = '' AND s.trace_id = p.trace_id
      AND EXISTS (SELECT 1 FROM spans x WHERE x.tenant_id = p.tenant_id AND x.trace_id = s.trace_id AND x.span_id = s.span_id)`);
  // A resource is stored per tenant (db/resources.ts): the moved spans' resources go along.
  await tx.rows(sql`
    INSERT INTO resources (tenant_id, id, attributes)
    SELECT DISTINCT ON (p.tenant_id, r.id) p.tenant_id, r.id, r.attributes
    FROM spans s JOIN ${pairsTable} p ON s.trace_id = p.trace_id JOIN resources r ON r.tenant_id = '' AND r.id = s.resource_id
    WHERE s.tenant_id = ''
    ON CONFLICT DO NOTHING`);
  await tx.rows(sql`UPDATE spans s SET tenant_id = p.tenant_id FROM ${pairsTable} p WHERE s.tenant_id = '' AND s.trace_id = p.trace_id`);
  // The trace's summaries (the tenant-less one and the tenant's) are rebuilt as one from its spans;
  // the attribute set is the union of theirs (sets only grow). Both starts' granules change in the rollups.
  const spansOfPairs = sql`(SELECT ${sql.raw(SPAN_SUMMARY_SOURCE.replace(/(\w+)/g, 's.$1'))} FROM spans s JOIN ${pairsTable} p ON s.tenant_id = p.tenant_id AND s.trace_id = p.trace_id)`;
  await tx.rows(sql`
    WITH gone AS (
      DELETE FROM traces t USING ${pairsTable} p WHERE t.trace_id = p.trace_id AND t.tenant_id IN ('', p.tenant_id)
      RETURNING t.trace_id, t.start_ns, t.attribute_set
    ),
    sets AS (SELECT trace_id, td_set_union_agg(attribute_set) AS attribute_set FROM gone GROUP BY trace_id),
    rebuilt AS (
      ${insertSummaries(sql`SELECT agg.*, sets.attribute_set FROM (${spanSummaryAggregate(spansOfPairs)}) agg JOIN sets USING (trace_id)`)}
      RETURNING start_ns
    )
    INSERT INTO rollup_dirty (bucket_ns)
    SELECT DISTINCT td_rollup_granule(start_ns) FROM (SELECT start_ns FROM gone UNION ALL SELECT start_ns FROM rebuilt) s`);
}

class Summarizer {
  /** Batches this process has appended, and how many of them a finished pass is known to cover. */
  private appended = 0;
  private covered = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerDue = 0;
  private poller: ReturnType<typeof setInterval> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** A background run is queued behind the one in flight: appends meanwhile need no other. */
  private queued = false;
  private vacuuming: Promise<void> | null = null;
  private failing = false;

  constructor(private readonly db: Db2) {}

  /**
   * A batch committed here: on Postgres the next pass starts at once (right after the one in flight,
   * which then covers every batch appended meanwhile). On PGlite, whose one backend every append waits
   * for while a pass runs, appends share a pass SOON_MS later; its reads wait for their own writes anyway.
   */
  noteAppended(): void {
    this.appended++;
    this.schedule(this.db.kind === 'pglite' ? SOON_MS : 0);
  }

  /** Passes when a look every POLL_MS finds deltas from now on: work left by other processes, or by this one before a restart. */
  start(): void {
    this.poller ??= setInterval(() => void this.poll(), POLL_MS);
    this.poller.unref?.();
    this.schedule(0);
  }

  private polling = false;
  private async poll(): Promise<void> {
    if (this.polling || this.queued || this.timer) return;
    this.polling = true;
    try {
      // Also after merges since the last vacuum: a pass that finds nothing vacuums them (vacuumNowAndThen).
      if (this.mergedSinceVacuum > 0 || (await deltasWaiting(this.db))) this.schedule(0);
    } catch (err) {
      this.failed(err);
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    if (this.poller) clearInterval(this.poller);
    if (this.timer) clearTimeout(this.timer);
    this.poller = this.timer = null;
  }

  /** A background run in `delayMs` (or sooner, if one is due sooner already). */
  schedule(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.queued) return;
      this.queued = true;
      void this.run(false).catch((err) => this.failed(err));
    }, delayMs);
    this.timer.unref?.();
  }

  /**
   * Passes until no delta is left (or, unless `wait`, another process is running one).
   * Queued behind the pass in flight. Resolves with the number of deltas merged here.
   */
  run(wait: boolean, deadline = Infinity): Promise<number> {
    const next = this.chain.then(async () => {
      if (!wait) this.queued = false;
      let total = 0;
      for (;;) {
        const mark = this.appended;
        const pass = await summarizeOnce(this.db);
        total += pass.merged;
        this.failing = false;
        if (pass.busy) {
          if (!wait || Date.now() > deadline) {
            // Another process's pass may not cover what this one appended since: try again soon.
            if (!wait) this.schedule(this.covered < this.appended ? BUSY_RETRY_MS : POLL_MS);
            return total;
          }
          await sleep(BUSY_RETRY_MS);
        } else if (pass.merged < PASS_LIMIT) {
          this.covered = Math.max(this.covered, mark);
          if (total > 0) scheduleRollups(this.db, total);
          await this.vacuumNowAndThen(total, wait);
          return total;
        }
      }
    });
    this.chain = next.catch(() => {});
    return next;
  }

  /**
   * Every deleted delta leaves a dead row; under sustained ingest autovacuum falls behind and the
   * table grows by hundreds of MB. Once the deltas merged here since the last time reach
   * VACUUM_EVERY, vacuum it (the table is nearly empty then: cheap, and its file shrinks back).
   * Once ingest pauses (a pass found nothing to merge) vacuum what is left, so an idle table's
   * file shrinks to nothing instead of keeping up to VACUUM_EVERY dead rows until the next burst.
   * On Postgres a background run does not wait for it: passes go on beside it (it took up to 2–5 s
   * on a loaded machine, and the deltas appended meanwhile waited); `wait` runs do.
   */
  private mergedSinceVacuum = 0;
  private async vacuumNowAndThen(merged: number, wait: boolean): Promise<void> {
    this.mergedSinceVacuum += merged;
    const drained = merged === 0 && this.mergedSinceVacuum > 0;
    if (this.vacuuming || (!drained && this.mergedSinceVacuum < VACUUM_EVERY)) {
      if (wait) await this.vacuuming;
      return;
    }
    this.mergedSinceVacuum = 0;
    const vacuum = vacuumDeltas(this.db).finally(() => (this.vacuuming = null));
    this.vacuuming = vacuum.catch((err) => this.failed(err));
    // PGlite: one backend, nothing to gain beside it; its statements keep their order.
    if (wait || this.db.kind === 'pglite') await vacuum;
  }

  /** Resolves once what this process appended before the call is summarized (or after READ_WAIT_MS). */
  async caughtUp(): Promise<void> {
    if (this.covered >= this.appended) return;
    const deadline = Date.now() + READ_WAIT_MS;
    await Promise.race([this.run(true, deadline).catch((err) => this.failed(err)), sleep(READ_WAIT_MS)]);
  }

  private failed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (/closed|ended/i.test(message)) return; // the database went away (shutdown, end of a test)
    if (!this.failing) console.error(`[tracedeck] trace summaries are behind (spans are stored; retrying): ${message}`);
    this.failing = true;
    this.schedule(RETRY_MS);
  }
}

const summarizers = new WeakMap<object, Summarizer>();

function summarizerFor(db: Db2): Summarizer {
  let s = summarizers.get(db);
  if (!s) summarizers.set(db, (s = new Summarizer(db)));
  return s;
}

/** Whether any delta waits (the oldest, through the append-order index: no walk over dead rows). */
async function deltasWaiting(db: Pick<Db, 'rows'>): Promise<boolean> {
  return (await db.rows(sql`SELECT seq FROM trace_deltas ORDER BY seq LIMIT 1`)).length > 0;
}

/** Reclaims the dead rows of merged deltas (and the file's empty tail). Not in a transaction. */
export async function vacuumDeltas(db: Pick<Db, 'rows'>): Promise<void> {
  await db.rows(sql`VACUUM trace_deltas`);
}

/** Called by ingest after a batch committed: summarize it soon. */
export function noteAppended(db: Db2): void {
  summarizerFor(db).noteAppended();
}

/** For reads: wait (bounded) until this process's own writes are summarized. Other processes' writes show after the next pass. */
export function summariesCaughtUp(db: Pick<Db, 'rows'>): Promise<void> {
  const s = summarizers.get(db);
  return s ? s.caughtUp() : Promise.resolve();
}

/** Summarizes every delta now, waiting for another process's pass if need be (tests, tools, benchmarks). */
export function summarizeNow(db: Db2): Promise<number> {
  return summarizerFor(db).run(true);
}

/** A serving process: poll for deltas (other processes', or left by a crash) until stopSummarizer. */
export function startSummarizer(db: Db2): void {
  summarizerFor(db).start();
}

export function stopSummarizer(db: Db2): void {
  summarizers.get(db)?.stop();
}
