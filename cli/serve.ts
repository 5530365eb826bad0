/**
 * `tracedeck serve` (npm start): build when sources are newer than the build, migrate, then `next start`.
 *
 * Zero configuration with Plano and the OpenTelemetry SDKs: besides the web port, the Next
 * server process (instrumentation.ts) receives OTLP/gRPC on :4317 (where Plano's zero-config
 * start exports) and OTLP/HTTP on :4318 (the SDKs' default), sharing the database client.
 * `--grpc-port`/TRACEDECK_GRPC_PORT and `--otlp-http-port`/TRACEDECK_OTLP_HTTP_PORT move them,
 * 0 turns either off; a busy port is a warning. With TRACEDECK_CONFIG unset, Plano's config
 * is looked up the way planoai does (server/plano-config.ts).
 *
 * Every listener binds 127.0.0.1 unless told otherwise (`--hostname`/HOST,
 * `--grpc-host`/TRACEDECK_GRPC_HOST, TRACEDECK_OTLP_HTTP_HOST), so a laptop's `npm start` is not on the network.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeEnrichConfig } from '../lib/enrich/config';
import { describeAuth } from '../server/auth/config';
import { exposureWarning } from '../server/auth/exposure';
import { ConfigError, type Env, type ServerConfig, loadConfig } from '../server/config';
import { type CheckedConfig, checkConfigStrict } from '../server/config-check';
import { openConfiguredDb } from '../server/db';
import { DataDirBusyError, claimDataDir, dataDirOwner, describeOwner, ownerFile, pgliteDataDir } from '../server/grpc/runtime-files';
import { type PlanoConfigLookup, lookUpPlanoConfig } from '../server/plano-config';

const ROOT = process.cwd();
const SOURCE_DIRS = ['app', 'components', 'lib', 'db', 'server'];
const SOURCE_FILES = ['next.config.js', 'package.json', 'tsconfig.json', 'instrumentation.ts', 'proxy.ts'];

function newestMtime(entry: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

/** True when `<distDir>/BUILD_ID` is missing or older than a source file. */
export function buildIsStale(root: string, distDir: string): boolean {
  const buildId = path.join(root, distDir, 'BUILD_ID');
  if (!fs.existsSync(buildId)) return true;
  const built = fs.statSync(buildId).mtimeMs;
  return [...SOURCE_DIRS, ...SOURCE_FILES].some((e) => newestMtime(path.join(root, e)) > built);
}

function nextBin(): string {
  return createRequire(path.join(ROOT, 'package.json')).resolve('next/dist/bin/next');
}

/** Prints a configuration problem and ends the process (exit 1). */
function exitWith(err: unknown): never {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`[tracedeck] ${err.message}`);
  process.exit(1);
}

/** Refuses to open an embedded data folder another tracedeck process (e.g. `trace listen`) has open. */
function assertDataDirFree(config: ServerConfig): void {
  const dataDir = pgliteDataDir(config.database);
  const owner = dataDir ? dataDirOwner(dataDir) : null;
  if (dataDir && owner) {
    throw new Error(
      `the embedded database at ${dataDir} is open in ${describeOwner(owner)}; PGlite allows one process per data folder. ` +
        (owner.role === 'grpc-listener' ? 'Stop it with `tracedeck trace down`: `tracedeck serve` receives OTLP/gRPC itself.' : 'Stop that server first.'),
    );
  }
}

async function migrate(config: ServerConfig): Promise<void> {
  assertDataDirFree(config);
  const db = await openConfiguredDb(config);
  try {
    await db.migrate();
    console.log(`[tracedeck] database ready: ${db.describe()}`);
  } finally {
    await db.close();
  }
}

export async function migrateCommand(env: Env): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    exitWith(err);
  }
  await migrate(config);
}

export type ServeOptions = {
  port?: number;
  hostname?: string;
  build: boolean;
  /** false: `--no-grpc`. */
  grpc?: boolean;
  grpcPort?: number;
  grpcHost?: string;
  otlpHttpPort?: number;
  otlpHttpHost?: string;
};

type Address = { host: string; port: number };

export type Listeners = { web: Address; grpc: Address | null; otlpHttp: Address | null };

/** Where the web server and the OTLP listeners bind (null: off): options first, then the configuration. */
export function serveListeners(options: ServeOptions, config: ServerConfig): Listeners {
  const grpcPort = options.grpcPort ?? config.grpc.port;
  const grpcOn = (options.grpc ?? (options.grpcPort !== undefined || config.grpc.enabled)) && grpcPort !== 0;
  const otlpHttpPort = options.otlpHttpPort ?? config.otlpHttp.port;
  return {
    web: { host: options.hostname ?? config.web.hostname, port: options.port ?? config.web.port },
    grpc: grpcOn ? { host: options.grpcHost ?? config.grpc.host, port: grpcPort } : null,
    otlpHttp: otlpHttpPort !== 0 ? { host: options.otlpHttpHost ?? config.otlpHttp.host, port: otlpHttpPort } : null,
  };
}

/**
 * The environment of a `next` child (build or server); `extra` wins. MALLOC_ARENA_MAX=2 unless the user set it: glibc gives each thread
 * that allocates (libuv's pool gunzipping request bodies, the database driver's I/O) an arena of its
 * own that it rarely returns, and with two the server's peak RSS under ingest measured ~20 MB lower
 * (396–397 against 405–427 MB, 300k spans, two runs each on a loaded machine); ingest speed moved within the noise.
 */
export function nextEnv(env: NodeJS.ProcessEnv, extra: Env = {}): NodeJS.ProcessEnv {
  return { MALLOC_ARENA_MAX: '2', ...env, ...extra, NEXT_TELEMETRY_DISABLED: '1' };
}

/**
 * V8 heap flags of the Next server (not of `next build`, which needs more). With the default
 * limit (a quarter of RAM, up to 4 GB) V8 lets the old generation grow to up to 4x what
 * survived the last full GC, and the server's requests leave mostly short-lived garbage (pages
 * of 0.7–2 MB of HTML, chart JSON, decoded batches): a 1 GB limit lowers that factor to ~1.6,
 * and 8 MB semi-spaces (16 by default) halve the young generation. Peak RSS (server and
 * supervisor, 300k spans, two runs each, load 8–23): ingest 393, 411 → 235, 236 MB; reads
 * 507, 533 → 295, 298 MB. The cost: more full GCs while the 5,000-span trace page renders,
 * p50 462–635 → 677–909 ms in back-to-back runs (the API's moved within the noise). That page
 * still renders under a 160 MB limit, so 1 GB leaves room for traces several times larger.
 */
export const SERVER_V8_FLAGS = ['--max-old-space-size=1024', '--max-semi-space-size=8'];

/** NODE_OPTIONS of the Next server: ours first, so the user's own (the last of a V8 flag wins) override them. */
export function serverNodeOptions(userOptions: string | undefined): string {
  return [...SERVER_V8_FLAGS, ...(userOptions?.trim() ? [userOptions.trim()] : [])].join(' ');
}

/** The Next server's environment: `nextEnv` and its V8 heap flags. */
export function nextServerEnv(env: NodeJS.ProcessEnv, extra: Env = {}): NodeJS.ProcessEnv {
  return { ...nextEnv(env, extra), NODE_OPTIONS: serverNodeOptions(extra.NODE_OPTIONS ?? env.NODE_OPTIONS) };
}

/** The Next server reads its own configuration: the listener options travel as the variables they stand for. */
export function listenerChildEnv({ grpc, otlpHttp }: Listeners): Env {
  return {
    ...(grpc ? { TRACEDECK_GRPC: '1', TRACEDECK_GRPC_HOST: grpc.host, TRACEDECK_GRPC_PORT: String(grpc.port) } : { TRACEDECK_GRPC: '0' }),
    ...(otlpHttp ? { TRACEDECK_OTLP_HTTP_HOST: otlpHttp.host, TRACEDECK_OTLP_HTTP_PORT: String(otlpHttp.port) } : { TRACEDECK_OTLP_HTTP_PORT: '0' }),
  };
}

/** The listeners, in one start-up line. */
export function describeListeners({ web, grpc, otlpHttp }: Listeners): string {
  const http = [`http://localhost:${web.port}/v1/traces`, ...(otlpHttp ? [`http://${otlpHttp.host}:${otlpHttp.port}/v1/traces`] : [])];
  const grpcNote = grpc ? `; OTLP/gRPC: ${grpc.host}:${grpc.port}` : '; OTLP/gRPC off';
  return `serving on http://localhost:${web.port}  (OTLP/HTTP: POST ${http.join(' and ')}${grpcNote})`;
}

/** Start-up lines: the Plano config, the span-attribute rules, auth, and a warning for a listener open to the network with auth off. */
function announce({ enrich, auth }: CheckedConfig, plano: PlanoConfigLookup, { web, grpc, otlpHttp }: Listeners): void {
  console.log(`[tracedeck] ${plano.line}`);
  for (const warning of plano.warnings) console.warn(`[tracedeck] ${warning}`);
  console.log(`[tracedeck] ${describeEnrichConfig(enrich.rules)}`);
  console.log(`[tracedeck] ${describeAuth(auth)}`);
  const warnings = [
    exposureWarning(auth, web.host, `the web server (${web.host}:${web.port})`),
    grpc ? exposureWarning(auth, grpc.host, `the OTLP/gRPC listener (${grpc.host})`, { reads: false }) : null,
    otlpHttp ? exposureWarning(auth, otlpHttp.host, `the OTLP/HTTP listener (${otlpHttp.host})`, { reads: false }) : null,
  ];
  for (const warning of warnings) if (warning) console.warn(`[tracedeck] ${warning}`);
}

function buildIfStale(config: ServerConfig, build: boolean, env: NodeJS.ProcessEnv): void {
  if (!buildIsStale(ROOT, config.nextDistDir)) return;
  if (!build) throw new Error(`no up-to-date build in ${config.nextDistDir} and --no-build was given`);
  console.log('[tracedeck] building the web app (next build)…');
  const result = spawnSync(process.execPath, [nextBin(), 'build'], { stdio: 'inherit', env: nextEnv(env) });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * Records the server as the user of the embedded data folder, so `trace listen` will not open it
 * too: the process given (the supervisor, which outlives this preparation). Returns the owner file.
 */
function claimDataFolder(config: ServerConfig, ownerPid: number): string | null {
  const dataDir = pgliteDataDir(config.database);
  if (!dataDir) return null;
  try {
    claimDataDir(dataDir, 'server', () => 'Stop it first.', ownerPid);
    return ownerFile(dataDir);
  } catch (err) {
    if (!(err instanceof DataDirBusyError)) throw err;
    console.error(`[tracedeck] ${err.message}`);
    process.exit(1);
  }
}

/** What runs the web server once `serve` is prepared: `node <args>` with `env`, and the data-folder claim to drop at exit. */
export type ServePlan = { args: string[]; env: NodeJS.ProcessEnv; ownerFile: string | null };

/**
 * Everything `serve` does before the web server runs: check the configuration, build if stale,
 * migrate (a broken database fails here, loudly, not on the first request), claim the data folder.
 */
export async function prepareServe(options: ServeOptions, processEnv: NodeJS.ProcessEnv, ownerPid: number): Promise<ServePlan> {
  // A malformed setting stops here, not at the first request.
  let checked: CheckedConfig;
  let plano: PlanoConfigLookup;
  try {
    plano = lookUpPlanoConfig(loadConfig(processEnv), { cwd: ROOT, home: os.homedir() });
    checked = checkConfigStrict({ ...processEnv, ...plano.env });
  } catch (err) {
    exitWith(err);
  }
  const env: NodeJS.ProcessEnv = { ...processEnv, ...plano.env };
  const { config } = checked;
  const listeners = serveListeners(options, config);
  announce(checked, plano, listeners);
  buildIfStale(config, options.build, env);
  // (PGlite allows one process per data folder, so the migration's client closes before the server opens its own.)
  await migrate(config);
  const owner = claimDataFolder(config, ownerPid);
  const { web } = listeners;
  console.log(`[tracedeck] ${describeListeners(listeners)}`);
  // Keep-alive longer than clients' (undici: 4 s) so a reused idle socket is never closed under a request.
  const args = [nextBin(), 'start', '-p', String(web.port), '-H', web.host, '--keepAliveTimeout', '65000'];
  return { args, env: nextServerEnv(env, listenerChildEnv(listeners)), ownerFile: owner };
}

/**
 * `serve-prepare`, run by `tracedeck serve`'s supervisor (bin/serve-supervisor.mjs): prepares for
 * it, then hands it the plan on file descriptor 3 and exits, taking the drivers it loaded along.
 */
export async function servePrepareCommand(options: ServeOptions, processEnv: NodeJS.ProcessEnv): Promise<void> {
  const plan = await prepareServe(options, processEnv, process.ppid);
  fs.writeSync(3, JSON.stringify(plan));
}

type Supervisor = { runNext(plan: ServePlan): void };

/** `serve` called in-process (bin/tracedeck.mjs runs the supervisor itself): prepare here, then supervise the same way. */
export async function serveCommand(options: ServeOptions, processEnv: NodeJS.ProcessEnv): Promise<void> {
  const plan = await prepareServe(options, processEnv, process.pid);
  const supervisor = (await import(pathToFileURL(path.join(ROOT, 'bin/serve-supervisor.mjs')).href)) as Supervisor;
  supervisor.runNext(plan);
}
