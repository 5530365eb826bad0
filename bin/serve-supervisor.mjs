// `tracedeck serve` (npm start) as a small supervisor in plain JavaScript.
//
// Preparing to serve (checking the configuration, building, migrating, claiming the embedded
// data folder) loads the TypeScript loader and the database drivers: about 130 MB that would
// stay resident beside the web server for its whole life, since this process must live on to
// pass signals and the exit code along. So the preparation runs in a child
// (`tracedeck serve-prepare`, cli/serve.ts) that hands back the plan on file descriptor 3 and
// exits; this process only starts the web server from the plan and waits for it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./tracedeck.mjs', import.meta.url));

/** Prepares in a child process, then runs the web server. `args`: what followed `serve`. */
export function superviseServe(args) {
  const prepared = spawnSync(process.execPath, [BIN, 'serve-prepare', ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (prepared.error) throw prepared.error;
  // The child said why (a configuration problem, a failed build or migration).
  if (prepared.status !== 0) process.exit(prepared.status ?? 1);
  runNext(JSON.parse(prepared.output[3].toString('utf8')));
}

/** Runs `node <plan.args>` with the plan's environment, passing signals on and its exit code back. */
export function runNext(plan) {
  const child = spawn(process.execPath, plan.args, { stdio: 'inherit', env: plan.env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  if (plan.ownerFile) process.on('exit', () => releaseDataFolder(plan.ownerFile));
  child.on('exit', (code) => process.exit(code ?? 0));
}

/** Drops the data-folder claim made for this process (server/grpc/runtime-files.ts), unless another process holds it now. */
function releaseDataFolder(file) {
  try {
    if (JSON.parse(fs.readFileSync(file, 'utf8')).pid === process.pid) fs.rmSync(file, { force: true });
  } catch {
    // gone already, or not ours to remove
  }
}
