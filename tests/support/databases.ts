/**
 * Runs an integration suite once per database: embedded PGlite (in memory) and
 * the real Postgres at DATABASE_URL or postgres://postgres@127.0.0.1:5432/test.
 * Each run gets its own Postgres schema, dropped afterwards, so parallel runs never collide.
 *
 * When Postgres does not answer: in CI (CI=true) the suite fails loudly; locally it
 * is skipped with a warning on stderr.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe } from 'vitest';
import { type Db, type DbKind, createDb } from '../../db/client';

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<string | null> | undefined;

/** null when Postgres answers, else the reason. */
export function postgresUnreachableReason(): Promise<string | null> {
  reachable ??= (async () => {
    const client = postgres(TEST_DATABASE_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
    try {
      await client`select 1`;
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    } finally {
      await client.end({ timeout: 1 }).catch(() => {});
    }
  })();
  return reachable;
}

export type TestDatabase = { kind: DbKind; db: Db; schemaName: string; dispose(): Promise<void> };

export async function openTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const schemaName = `td_test_${randomBytes(5).toString('hex')}`;
  if (kind === 'pglite') {
    const db = await createDb({ databaseUrl: '', dataDir: 'memory://', schemaName });
    await db.migrate();
    return { kind, db, schemaName, dispose: () => db.close() };
  }
  const reason = await postgresUnreachableReason();
  if (reason) throw new Error(`Postgres at ${TEST_DATABASE_URL} is unreachable: ${reason}`);
  const db = await createDb({ databaseUrl: TEST_DATABASE_URL, schemaName, maxConnections: 4 });
  await db.migrate();
  return {
    kind,
    db,
    schemaName,
    async dispose() {
      await db.close();
      const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`);
      await admin.end();
    },
  };
}

const pgReason = await postgresUnreachableReason();
if (pgReason && process.env.CI !== 'true') {
  console.warn(`[tests] Postgres unreachable (${pgReason}): Postgres runs of the integration suite are SKIPPED. In CI this fails.`);
}

/** The database kinds to run against: PGlite always; Postgres unless unreachable outside CI. */
export const DATABASE_KINDS: DbKind[] = pgReason && process.env.CI !== 'true' ? ['pglite'] : ['pglite', 'postgres'];

/** describe() once per database kind. */
export function describeEachDatabase(name: string, body: (kind: DbKind) => void): void {
  for (const kind of DATABASE_KINDS) describe(`${name} [${kind}]`, () => body(kind));
}
