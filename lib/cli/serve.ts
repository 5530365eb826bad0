/** `tracedeck serve` (npm start): build when sources are newer than the build, migrate, then `next start`. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createDb } from '../../db/client';

const ROOT = process.cwd();
const SOURCE_DIRS = ['app', 'components', 'lib', 'db'];
const SOURCE_FILES = ['next.config.js', 'package.json', 'tsconfig.json'];

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

export async function migrateCommand(): Promise<void> {
  const db = await createDb();
  try {
    await db.migrate();
    console.log(`[tracedeck] database ready: ${db.describe()}`);
  } finally {
    await db.close();
  }
}

export async function serveCommand({ port, hostname, build }: { port: number; hostname: string; build: boolean }): Promise<void> {
  if (buildIsStale()) {
    if (!build) throw new Error('no up-to-date build in .next and --no-build was given');
    console.log('[tracedeck] building the web app (next build)…');
    const result = spawnSync(process.execPath, [nextBin(), 'build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  // Migrate before serving so a broken database fails here, loudly, not on the first request.
  // (PGlite allows one process per data folder, so this client closes before the server opens its own.)
  await migrateCommand();
  console.log(`[tracedeck] serving on http://localhost:${port}  (OTLP/HTTP: POST http://localhost:${port}/v1/traces)`);
  const child = spawn(process.execPath, [nextBin(), 'start', '-p', String(port), '-H', hostname], {
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
