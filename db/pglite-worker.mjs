/**
 * The embedded PGlite database on its own thread (db/pglite-host.ts starts it).
 *
 * PGlite runs Postgres as WASM on the thread that calls it, so a long aggregate or
 * a big ingest statement on the server's main thread stalls every HTTP request
 * behind it. Here it stalls only this thread.
 *
 * Plain JavaScript (no TypeScript) so that Node loads it as is in every context:
 * vitest, tsx scripts and the built Next.js server, which does not bundle it.
 *
 * Protocol (structured clone over the worker port; the host serializes work):
 *   host → worker  { id, op: 'query', sql, params, txId?, prepare?, begin? } → { id, ok: true, rows }
 *                  (prepare: as a named prepared statement, kept for the next call with that text;
 *                  begin: BEGIN transaction txId first, which saves the transaction a round trip)
 *                  { id, op: 'begin', txId }               → { id, ok: true }
 *                  { id, op: 'end', txId, commit }         → { id, ok: true }  (COMMIT or ROLLBACK)
 *                  { id, op: 'migrate', migrationsFolder, migrationsSchema }
 *                  { id, op: 'close' }
 *                  { id, op: 'stats' } → { id, ok: true, stats: { cpuUs, statements } } (this thread's CPU time;
 *                  per statement text when started with workerData.profile: for benchmarks)
 *   worker → host  { type: 'ready' } once open, or { type: 'fatal', error } when it cannot open;
 *                  { id, ok: false, error } for a failed request.
 * Errors travel as plain objects (message, name, stack and Postgres fields such as code):
 * the structured clone of an Error drops those fields.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parse, PGlite, protocol, types } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';

/** @type {{ dataDir: string | null, schemaName: string, profile?: boolean }} */
const { dataDir, schemaName, profile: profiling } = workerData;

const keepText = (value) => value;
/**
 * The options drizzle's PGlite driver passes for `db.execute` (what the in-thread client
 * used): object rows, dates/times/intervals and numeric[] left as text.
 */
const QUERY_OPTIONS = {
  rowMode: 'object',
  parsers: {
    [types.TIMESTAMP]: keepText,
    [types.TIMESTAMPTZ]: keepText,
    [types.INTERVAL]: keepText,
    [types.DATE]: keepText,
    1231: keepText, // numeric[]
    1115: keepText, // timestamp[]
    1185: keepText, // timestamptz[]
    1187: keepText, // interval[]
    1182: keepText, // date[]
  },
};

/** Postgres error fields worth keeping (DatabaseError from PGlite's protocol parser). */
const ERROR_FIELDS = [
  'code',
  'severity',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
  'query',
];

function serializeError(err) {
  if (!(err instanceof Error)) return { message: String(err), name: 'Error', fields: {} };
  const fields = {};
  for (const key of ERROR_FIELDS) {
    const value = /** @type {Record<string, unknown>} */ (err)[key];
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return { message: err.message, name: err.name, stack: err.stack, fields };
}

function quoteIdent(name) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return `"${name}"`;
}

async function open() {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // int8 (OID 20) always as bigint, like postgres.js in db/client.ts (bigint survives the structured clone).
  const client = await PGlite.create({ dataDir: dataDir ?? undefined, parsers: { 20: (value) => BigInt(value) } });
  if (schemaName !== 'public') {
    await client.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemaName)}; SET search_path TO ${quoteIdent(schemaName)}, public;`);
  }
  return client;
}

/**
 * Named prepared statements for the statements the host asks to prepare (ingest's append:
 * its text never changes, its values are parameters). PGlite's own query() parses, describes
 * and plans a statement on every call (~6 ms of WASM for the append, per batch) and writes
 * every text parameter through a JavaScript UTF-8 length loop, twice; here a statement is
 * parsed and described once, and its text and JSON parameters travel in binary format
 * (their UTF-8 bytes, which Postgres's binary input takes as is, verifying the encoding).
 * The plan cache replans a statement when a table it reads changes (a new partition).
 * @type {Map<string, { name: string, types: number[] }>}
 */
const prepared = new Map();
const MAX_PREPARED = 32;
let preparedCount = 0;

const TEXT_TYPES = new Set([types.TEXT, types.VARCHAR, types.JSON]);
const JSONB_VERSION = Buffer.from([1]);

/** A parameter as PGlite's query() would send it, except text and JSON values: their UTF-8 bytes, in binary format. */
function bindValue(client, value, type) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    if (TEXT_TYPES.has(type)) return Buffer.from(value, 'utf8');
    if (type === types.JSONB) return Buffer.concat([JSONB_VERSION, Buffer.from(value, 'utf8')]);
  }
  const serializer = client.serializers[type];
  return serializer ? serializer(value) : value.toString();
}

const concatMessages = (...parts) => Buffer.concat(parts.map((p) => new Uint8Array(p)));

async function describePrepared(client, sql) {
  let statement = prepared.get(sql);
  if (statement) return statement;
  const { serialize } = protocol;
  if (prepared.size >= MAX_PREPARED) {
    const [oldSql, old] = prepared.entries().next().value;
    prepared.delete(oldSql);
    await client.execProtocol(concatMessages(serialize.close({ type: 'S', name: old.name }), serialize.sync()));
  }
  const name = `td_prepared_${++preparedCount}`;
  const { messages } = await client.execProtocol(
    concatMessages(serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()),
  );
  const described = messages.find((m) => m.name === 'parameterDescription');
  statement = { name, types: described ? described.dataTypeIDs : [] };
  prepared.set(sql, statement);
  return statement;
}

/** Runs `sql` as a named prepared statement (prepared on first use); resolves with the rows, as query() would. */
function queryPrepared(client, sql, params) {
  return client._runExclusiveQuery(async () => {
    const { serialize } = protocol;
    const statement = await describePrepared(client, sql);
    const values = params.map((value, i) => bindValue(client, value, statement.types[i]));
    const { messages } = await client.execProtocol(
      concatMessages(serialize.bind({ statement: statement.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()),
    );
    return parse.parseResults(messages, client.parsers, QUERY_OPTIONS)[0]?.rows ?? [];
  });
}

/**
 * Open transactions by id: PGlite's own transaction() holds its lock (so nothing
 * outside can slip in) until the host sends `end`.
 * @type {Map<number, { tx: import('@electric-sql/pglite').Transaction, finish: (commit: boolean) => void, done: Promise<void> }>}
 */
const transactions = new Map();

/** Transactions being opened (BEGIN in flight), so a statement of one that arrives meanwhile waits for it. */
const opening = new Map();

function begin(client, txId) {
  if (transactions.has(txId) || opening.has(txId)) throw new Error(`transaction ${txId} is already open`);
  const started = openTransaction(client, txId).finally(() => opening.delete(txId));
  opening.set(txId, started);
  return started;
}

async function openedTransaction(txId) {
  await opening.get(txId)?.catch(() => {});
  const entry = transactions.get(txId);
  if (!entry) throw new Error(`transaction ${txId} is not open`);
  return entry;
}

function openTransaction(client, txId) {
  return new Promise((opened, failed) => {
    /** @type {(commit: boolean) => void} */
    let finish = () => {};
    const decided = new Promise((resolve) => (finish = resolve));
    const done = client
      .transaction(async (tx) => {
        transactions.set(txId, { tx, finish, done });
        opened(undefined);
        if (!(await decided)) await tx.rollback();
      })
      .finally(() => transactions.delete(txId));
    // BEGIN itself failed: the callback never ran.
    done.catch(failed);
  });
}

async function end(txId, commit) {
  const entry = await openedTransaction(txId);
  entry.finish(commit);
  await entry.done;
}

/** CPU time (µs) of this thread (Linux; 0 elsewhere): the database's own cost, whatever the main thread does. */
function threadCpuUs() {
  try {
    const fields = fs.readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return 0;
  }
}

/**
 * Per request kind (a statement's first words, or the op): count, wall ms and CPU µs of this thread.
 * Only when the host asks (workerData.profile, the benchmarks): reading the thread's CPU twice a request costs ~20 µs.
 * @type {Map<string, { count: number, ms: number, cpuUs: number }> | null}
 */
const profile = profiling ? new Map() : null;

function profileKey(message) {
  if (message.op !== 'query') return message.op === 'end' ? (message.commit ? 'COMMIT' : 'ROLLBACK') : message.op;
  return message.sql.replace(/\s+/g, ' ').trim().slice(0, 90);
}

async function profiled(client, message) {
  if (!profile) return run(client, message);
  const [cpu, wall] = [threadCpuUs(), performance.now()];
  try {
    return await run(client, message);
  } finally {
    const key = profileKey(message);
    const entry = profile.get(key) ?? { count: 0, ms: 0, cpuUs: 0 };
    entry.count++;
    entry.ms += performance.now() - wall;
    entry.cpuUs += threadCpuUs() - cpu;
    profile.set(key, entry);
  }
}

async function run(client, message) {
  switch (message.op) {
    case 'query': {
      if (message.begin) await begin(client, message.txId);
      const target = message.txId === undefined ? client : (await openedTransaction(message.txId)).tx;
      if (message.prepare) return { rows: await queryPrepared(client, message.sql, message.params) };
      const result = await target.query(message.sql, message.params, QUERY_OPTIONS);
      return { rows: result.rows };
    }
    case 'begin':
      await begin(client, message.txId);
      return {};
    case 'end':
      await end(message.txId, message.commit);
      return {};
    case 'migrate':
      await migrate(drizzle({ client }), { migrationsFolder: message.migrationsFolder, migrationsSchema: message.migrationsSchema });
      return {};
    case 'close':
      await client.close();
      return {};
    case 'stats':
      return { stats: { cpuUs: threadCpuUs(), statements: profile ? Object.fromEntries(profile) : null } };
    default:
      throw new Error(`unknown request ${message.op}`);
  }
}

let client;
try {
  client = await open();
} catch (err) {
  // The host terminates this thread when it reads this.
  parentPort.postMessage({ type: 'fatal', error: serializeError(err) });
}

if (client) {
  parentPort.on('message', (message) => {
    profiled(client, message).then(
      (result) => parentPort.postMessage({ id: message.id, ok: true, ...result }),
      (err) => parentPort.postMessage({ id: message.id, ok: false, error: serializeError(err) }),
    );
  });
  parentPort.postMessage({ type: 'ready' });
}
