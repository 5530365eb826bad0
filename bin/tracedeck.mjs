#!/usr/bin/env node
// Entry of the `tracedeck` command (package.json "bin"). The CLI is TypeScript in
// cli; tsx's loader runs it without a separate compile step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main(process.argv, process.env);
