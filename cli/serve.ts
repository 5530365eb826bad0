/**
 * `tracedeck serve` (npm start): build when sources are newer than the build, migrate, then `next start`.
 * `--grpc` (or TRACEDECK_GRPC=1) also runs the OTLP/gRPC listener inside the Next
 * server process (instrumentation.ts), sharing its database client.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createDb } from '../db/client';
import { type AuthConfig, AuthConfigError, describeAuth, parseAuthConfig } from '../server/auth/config';
import { exposureWarning } from '../server/auth/exposure';
import { EnrichConfigError, describeEnrichConfig, loadEnrichConfigStrict } from '../lib/enrich/config';
import { DataDirBusyError, claimDataDir, dataDirOwner, describeOwner, pgliteDataDir } from '../server/grpc/runtime-files';

const ROOT = process.cwd();
const SOURCE_DIRS = ['app', 'components', 'lib', 'db'];
const SOURCE_FILES = ['next.config.js', 'package.json', 'tsconfig.json', 'instrumentation.ts'];

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

export function buildIsStale(root = ROOT): boolean {
  const buildId = path.join(root, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return true;
  const built = fs.statSync(buildId).mtimeMs;
  return [...SOURCE_DIRS, ...SOURCE_FILES].some((e) => newestMtime(path.join(root, e)) > built);
}

function nextBin(): string {
  return createRequire(path.join(ROOT, 'package.json')).resolve('next/dist/bin/next');
}

/** Refuses to open an embedded data folder another tracedeck process (e.g. `trace listen`) has open. */
function assertDataDirFree(): void {
  const dataDir = pgliteDataDir();
  const owner = dataDir ? dataDirOwner(dataDir) : null;
  if (dataDir && owner) {
    throw new Error(
      `the embedded database at ${dataDir} is open in ${describeOwner(owner)}; PGlite allows one process per data folder. ` +
        (owner.role === 'grpc-listener' ? 'Stop it with `tracedeck trace down` and use `tracedeck serve --grpc` instead.' : 'Stop that server first.'),
    );
  }
}

export async function migrateCommand(): Promise<void> {
  assertDataDirFree();
  const db = await createDb();
  try {
    await db.migrate();
    console.log(`[tracedeck] database ready: ${db.describe()}`);
  } finally {
    await db.close();
  }
}

export type ServeOptions = { port: number; hostname: string; build: boolean; grpc?: boolean; grpcPort?: number };

export async function serveCommand({ port, hostname, build, grpc, grpcPort }: ServeOptions): Promise<void> {
  // A malformed TRACEDECK_CONFIG stops here, not at the first export.
  try {
    console.log(`[tracedeck] ${describeEnrichConfig(loadEnrichConfigStrict())}`);
  } catch (err) {
    if (err instanceof EnrichConfigError) {
      console.error(`[tracedeck] ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const grpcEnv: Record<string, string> = {};
  if (grpc || grpcPort !== undefined) grpcEnv.TRACEDECK_GRPC = '1';
  if (grpcPort !== undefined) grpcEnv.TRACEDECK_GRPC_PORT = String(grpcPort);
  const withGrpc = grpcEnv.TRACEDECK_GRPC === '1' || /^(1|true|yes|on)$/i.test(process.env.TRACEDECK_GRPC?.trim() ?? '');
  // Malformed keys stop here too (at request time they would refuse every request).
  let auth: AuthConfig;
  try {
    auth = parseAuthConfig(process.env);
  } catch (err) {
    if (err instanceof AuthConfigError) {
      console.error(`[tracedeck] ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  console.log(`[tracedeck] ${describeAuth(auth)}`);
  const grpcHost = process.env.TRACEDECK_GRPC_HOST?.trim() || '0.0.0.0';
  const warnings = [
    exposureWarning(auth, hostname, `the web server (${hostname}:${port})`),
    withGrpc ? exposureWarning(auth, grpcHost, `the OTLP/gRPC listener (${grpcHost})`, { reads: false }) : null,
  ];
  for (const warning of warnings) if (warning) console.warn(`[tracedeck] ${warning}`);

  if (buildIsStale()) {
    if (!build) throw new Error('no up-to-date build in .next and --no-build was given');
    console.log('[tracedeck] building the web app (next build)…');
    const result = spawnSync(process.execPath, [nextBin(), 'build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  // Migrate before serving so a broken database fails here, loudly, not on the first request.
  // (PGlite allows one process per data folder, so this client closes before the server opens its own.)
  await migrateCommand();
  // Record the server as the user of the embedded data folder, so `trace listen` will not open it too.
  const dataDir = pgliteDataDir();
  if (dataDir) {
    try {
      const release = claimDataDir(dataDir, 'server', () => 'Stop it first.');
      process.on('exit', release);
    } catch (err) {
      if (err instanceof DataDirBusyError) {
        console.error(`[tracedeck] ${err.message}`);
        process.exit(1);
      }
      throw err;
    }
  }
  const grpcNote = withGrpc ? `, OTLP/gRPC: ${grpcHost}:${grpcEnv.TRACEDECK_GRPC_PORT ?? process.env.TRACEDECK_GRPC_PORT ?? 4317}` : '';
  console.log(`[tracedeck] serving on http://localhost:${port}  (OTLP/HTTP: POST http://localhost:${port}/v1/traces${grpcNote})`);
  // Keep-alive longer than clients' (undici: 4 s) so a reused idle socket is never closed under a request.
  const child = spawn(process.execPath, [nextBin(), 'start', '-p', String(port), '-H', hostname, '--keepAliveTimeout', '65000'], {
    stdio: 'inherit',
    env: { ...process.env, ...grpcEnv, NEXT_TELEMETRY_DISABLED: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
