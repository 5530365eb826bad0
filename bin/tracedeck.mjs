#!/usr/bin/env node
// Entry of the `tracedeck` command (package.json "bin"). The CLI is TypeScript in
// cli; tsx's loader runs it without a separate compile step. `serve` (except its
// --help) starts as a plain-JavaScript supervisor that stays small for the server's
// whole life (bin/serve-supervisor.mjs).
const [command, ...rest] = process.argv.slice(2);
if (command === 'serve' && !rest.some((a) => a === '-h' || a === '--help')) {
  const { superviseServe } = await import('./serve-supervisor.mjs');
  superviseServe(rest);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/main.ts');
  await main(process.argv, process.env);
}
