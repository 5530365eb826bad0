/**
 * Upgrade tests: a database migrated only as far as an older release, given that release's
 * data, then opened with today's migrations, as a user's database is on upgrade.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Db, type DbKind, MIGRATIONS_FOLDER, createDb } from '../../db/client';
import { pauseRollups } from '../../db/rollups';
import type { SpanRecord } from '../../lib/otlp/span-record';
import { spanAttributesMap } from '../../lib/where/sql-compiler';
import { TEST_DATABASE_URL } from './databases';
import { storeRecords } from './store-spans';

type JournalEntry = { idx: number; tag: string };

/** A copy of db/migrations holding only the migrations `keep` accepts (what an older release shipped). */
export function migrationsWhere(keep: (entry: JournalEntry) => boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-old-migrations-'));
  fs.cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: JournalEntry[] };
  journal.entries = journal.entries.filter(keep);
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

export type UpgradedDatabase = { db: Db; dispose(): Promise<void> };

/**
 * A fresh database of `kind` (its own schema or PGlite folder) migrated with `oldMigrations`,
 * filled by `writeOld`, closed, then reopened and migrated to today. `dispose` drops it.
 */
export async function openUpgradedDatabase(kind: DbKind, oldMigrations: string, writeOld: (db: Db) => Promise<void>): Promise<UpgradedDatabase> {
  const schemaName = `td_upgrade_${Math.random().toString(16).slice(2, 10)}`;
  const dataDir = kind === 'pglite' ? fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-upgrade-')) : undefined;
  const options = { databaseUrl: kind === 'postgres' ? TEST_DATABASE_URL : '', dataDir, schemaName, maxConnections: 2 };
  const old = await createDb({ ...options, migrationsFolder: oldMigrations });
  await old.migrate();
  await writeOld(old);
  await old.close();
  const db = await createDb(options);
  await db.migrate();
  return {
    db,
    async dispose() {
      await db.close();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      if (kind === 'postgres') {
        const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
        await admin.unsafe(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`);
        await admin.end();
      }
    },
  };
}

/** A database of `kind` that held `writeOld`'s data under the migrations before `tag`, upgraded to today, its roller paused (the test rolls). */
export async function openUpgradedFrom(kind: DbKind, tag: string, writeOld: (db: Db) => Promise<void>): Promise<UpgradedDatabase> {
  const upgraded = await openUpgradedDatabase(
    kind,
    migrationsWhere((e) => e.tag < tag),
    writeOld,
  );
  pauseRollups(upgraded.db);
  return upgraded;
}

/**
 * Today's ingest into a database at an older release's schema, writing the span rows that release
 * wrote: `spans.promoted_elided` (migration 0017) is there only while the batch is stored, and the
 * promoted keys it left out of the maps are put back, as a release before it stored every key.
 */
export async function storeRecordsAsBefore0017(db: Db, spans: readonly SpanRecord[]): Promise<void> {
  await db.rows(sql`ALTER TABLE spans ADD COLUMN promoted_elided smallint NOT NULL DEFAULT 0`);
  await storeRecords(db, spans);
  await db.rows(sql`UPDATE spans s SET attributes = ${spanAttributesMap('s')} WHERE s.promoted_elided <> 0`);
  await db.rows(sql`ALTER TABLE spans DROP COLUMN promoted_elided`);
}
