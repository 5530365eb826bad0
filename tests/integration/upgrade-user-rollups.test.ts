/**
 * Upgrading a database whose rollups predate the user dimension (migration 0014_user_rollups): every
 * granule holding traces is marked dirty, so a chart by user reads them from the traces
 * (exact) until the roller rebuilds them with their (tenant, user) rows, and then reads those.
 */
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../db/client';
import { DIMS, GRANULE_NS, drainRollups, floorTo, pauseRollups, setUserRollupLimitsForTests } from '../../db/rollups';
import type { MetricsResponse } from '../../lib/metrics/types';
import type { AttributeMap } from '../../lib/otlp/span-record';
import { resetConfigForTests } from '../../server/config';
import { parseMetricsParams } from '../../server/metrics/params';
import { type MetricsContext, queryMetrics } from '../../server/metrics/request';
import { describeEachDatabase } from '../support/databases';
import { spanRecord } from '../support/span-record';
import { type UpgradedDatabase, openUpgradedFrom, storeRecordsAsBefore0017 } from '../support/upgrade';

const NS_PER_MS = 1_000_000n;
const MIN_NS = 60_000n * NS_PER_MS;
/** 2026-01-05T00:00:00Z. */
const BASE_NS = 1_767_571_200_000n * NS_PER_MS;
const iso = (ns: bigint) => new Date(Number(ns / NS_PER_MS)).toISOString();
const RANGE = { from: iso(BASE_NS + 11n * MIN_NS), to: iso(BASE_NS + 175n * MIN_NS) };

/** 90 traces over 3 hours in two tenants, most with one of 7 users, some with none; stored before 0013 and "rolled" then. */
async function writeOldData(db: Db): Promise<void> {
  // Today's roller writes user rows, which this schema has no column for: the old release's rollups are stood in for below.
  pauseRollups(db);
  const spans = Array.from({ length: 90 }, (_, i) => {
    const start = BASE_NS + BigInt(i * 2) * MIN_NS + BigInt(i) * 1_000_000n;
    const attributes: AttributeMap = {
      'tenant.id': { stringValue: i % 4 === 0 ? 'globex' : 'acme' },
      'llm.usage.prompt_tokens': { intValue: String(100 + i) },
    };
    if (i % 6 !== 1) attributes['user.id'] = { stringValue: `usr_${i % 7}` };
    return spanRecord({
      traceId: (0xfeed00 + i).toString(16).padStart(32, '0'),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(i + 1) * 3_000_000n,
      attributes,
      ...(i % 10 === 3 ? { statusCode: 2 } : {}),
    });
  });
  await storeRecordsAsBefore0017(db, spans);
  // The old roller had rolled every granule.
  await db.rows(sql`DELETE FROM rollup_dirty`);
}

describeEachDatabase('upgrade to rollups by user (migration 0013)', (kind) => {
  let db: Db;
  let upgraded: UpgradedDatabase | undefined;

  const ask = async (minTraces: string): Promise<MetricsResponse> => {
    process.env.TRACEDECK_ROLLUP_MIN_TRACES = minTraces;
    resetConfigForTests();
    const ctx: MetricsContext = { tenantKey: 'tenant.id', tenantScope: null };
    const params = new URLSearchParams({ ...RANGE, where: 'tenant.id=acme', group_by: 'user.id', bucket: '1h', top: '4', metrics: 'requests,errors,tokens' });
    return queryMetrics(db, parseMetricsParams(params, ctx), ctx);
  };
  const cells = (r: MetricsResponse) => [
    r.totals.requests,
    r.series?.map((v) => v.requests),
    r.groups.map((g) => [g.label, g.totals.requests, g.totals.errors, g.totals.promptTokens, g.series?.map((v) => v.requests)]),
  ];
  async function expectRolledAsTraces() {
    const rolled = await ask('0');
    const exact = await ask('1e15');
    expect([rolled.source, exact.source]).toEqual(['rollup', 'traces']);
    expect(cells(rolled)).toEqual(cells(exact));
    expect(exact.groups.some((g) => g.key === null)).toBe(true);
    expect(exact.groups.some((g) => g.other)).toBe(true);
  }

  beforeAll(async () => {
    upgraded = await openUpgradedFrom(kind, '0014_user_rollups', writeOldData);
    db = upgraded.db;
    // User rows however quiet the hours (the data is small).
    setUserRollupLimitsForTests({ hourMinTraces: 0 });
  });
  afterEach(() => {
    delete process.env.TRACEDECK_ROLLUP_MIN_TRACES;
    resetConfigForTests();
  });
  afterAll(async () => {
    setUserRollupLimitsForTests(null);
    await upgraded?.dispose();
  });

  it('marks dirty every granule holding traces', async () => {
    const dirty = await db.rows<{ bucket_ns: bigint | string }>(sql`SELECT DISTINCT bucket_ns FROM rollup_dirty ORDER BY 1`);
    const starts = await db.rows<{ start_ns: bigint | string }>(sql`SELECT start_ns FROM traces`);
    const granules = [...new Set(starts.map((t) => floorTo(BigInt(t.start_ns), GRANULE_NS)))].sort((a, b) => (a < b ? -1 : 1));
    expect(dirty.map((d) => BigInt(d.bucket_ns))).toEqual(granules);
    expect(granules.length).toBeGreaterThan(30);
  });

  it('before the roller runs, a chart by user reads the dirty granules from the traces: exact', async () => {
    await expectRolledAsTraces();
  });

  it('the roller rebuilds them with their user rows, which then answer as the traces do', async () => {
    await drainRollups(db);
    const [{ n }] = await db.rows<{ n: number }>(sql`SELECT count(*)::integer AS n FROM trace_rollups WHERE dims = ${DIMS.tenantUser}`);
    expect(n).toBeGreaterThan(0);
    await expectRolledAsTraces();
  });
});
