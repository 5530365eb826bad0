/**
 * The benchmark's own build of the app, into NEXT_DIST_DIR (default .next-bench, so a
 * benchmark never replaces the build `npm start` uses), leaving the work tree as it was.
 *
 * Why the files are put back: `next build` "reconfigures" tsconfig.json for its distDir,
 * adding `<distDir>/types/**` and `<distDir>/dev/types/**` to `include`
 * (next/dist/lib/typescript/writeConfigurationDefaults.js), and points next-env.d.ts at
 * that folder. Next has no switch for it short of a second tsconfig named in
 * next.config.js, so the build runs here, the files are restored afterwards with their
 * old modification times (a newer tsconfig.json would make `tracedeck serve` think the
 * build stale and rebuild, rewriting it again), and the servers start with --no-build.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildIsStale } from '../cli/serve';

export const benchDistDir = (): string => process.env.NEXT_DIST_DIR || '.next-bench';

/** What `next build` may rewrite in the checkout. */
const REWRITTEN_BY_BUILD = ['tsconfig.json', 'next-env.d.ts'];

type Saved = { file: string; content: Buffer | null; atime: Date; mtime: Date };

function save(file: string): Saved {
  if (!fs.existsSync(file)) return { file, content: null, atime: new Date(0), mtime: new Date(0) };
  const stat = fs.statSync(file);
  return { file, content: fs.readFileSync(file), atime: stat.atime, mtime: stat.mtime };
}

function restore({ file, content, atime, mtime }: Saved): void {
  if (content === null) {
    fs.rmSync(file, { force: true });
    return;
  }
  if (!fs.existsSync(file) || !fs.readFileSync(file).equals(content)) fs.writeFileSync(file, content);
  fs.utimesSync(file, atime, mtime);
}

/** Runs `next build` into the bench dist dir when it is missing or older than the sources; the checkout's files come back as they were. */
export async function ensureBenchBuild(root = process.cwd()): Promise<void> {
  const distDir = benchDistDir();
  if (!buildIsStale(root, distDir)) return;
  console.log(`[build] building the app into ${distDir} (minutes on a busy 2-core machine)…`);
  const saved = REWRITTEN_BY_BUILD.map((f) => save(path.join(root, f)));
  const putBack = () => saved.forEach(restore);
  // Ctrl-C reaches the build too (same process group); put the files back before leaving.
  const onSignal = (signal: NodeJS.Signals) => {
    putBack();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const next = createRequire(path.join(root, 'package.json')).resolve('next/dist/bin/next');
    const child = spawn(process.execPath, [next, 'build'], {
      cwd: root,
      env: { ...process.env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`next build into ${distDir} failed (exit code ${code})`);
  } finally {
    putBack();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
