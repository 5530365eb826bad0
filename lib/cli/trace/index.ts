/**
 * Registers `tracedeck trace [TARGET]` (planoai's `trace` options, plus --url)
 * and wires it to the process: stdout/stderr, colours, the terminal picker.
 */
import type { Command } from 'commander';
import type { TraceCliOptions } from './args';
import { TracedeckClient } from './client';
import { type TraceIo, runTrace } from './command';
import { pickTrace } from './picker';
import { createPainter, detectColorDepth } from './style';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export const TRACE_HELP_AFTER = `
Targets:
  last        the newest trace matching the filters (default)
  any         every trace matching the filters (with --json: all of them, up to --limit, default 50)
  <8 hex>     a trace by short id (the first 8 characters)
  <32 hex>    a trace by full id

Examples:
  tracedeck trace                                   newest trace as a span tree
  tracedeck trace --list                            pick one of the recent traces
  tracedeck trace 3f2a9c1d --filter 'http.*,llm.*'  one trace, some attributes
  tracedeck trace any --where tenant.id=acme-corp --where http.status_code=502 --json
  tracedeck trace --since 1h --where 'http.status_code>=500 OR duration>2s' --list
`;

export function nodeTraceIo(): TraceIo {
  // `tracedeck trace --list | head`: a closed pipe ends the command quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const painter = createPainter(detectColorDepth(process.stdout, process.env));
  const errPainter = createPainter(detectColorDepth(process.stderr, process.env));
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    painter,
    errPainter,
    tty: Boolean(process.stdout.isTTY && process.stdin.isTTY),
    pick: (labels) => pickTrace(labels, { input: process.stdin, output: process.stdout, painter }),
    client: (baseUrl) => new TracedeckClient(baseUrl),
    env: process.env,
  };
}

export function registerTraceCommand(program: Command, io: () => TraceIo = nodeTraceIo): Command {
  return program
    .command('trace')
    .description('show traces from a Tracedeck server, like `planoai trace`')
    .argument('[target]', "'last' (default), 'any', or a trace id (8 or 32 hex characters)")
    .option('--filter <patterns>', 'limit displayed attributes to matching keys (comma-separated, wildcards supported); repeatable', collect)
    .option('--where <filter>', 'match traces that contain key=value, or any Tracedeck where filter; repeatable (AND)', collect)
    .option('--list', 'list trace IDs only (on a terminal: pick one to view)')
    .option('--no-interactive', 'disable interactive prompts and selections')
    .option('--limit <n>', 'limit results')
    .option('--since <window>', 'look back window (e.g. 5m, 2h, 1d)')
    .option('--json', 'output raw JSON (planoai shape)')
    .option('-v, --verbose', 'show all span attributes; default trims inbound/outbound to a few keys')
    .option('--url <url>', 'Tracedeck base URL (default: $TRACEDECK_URL or http://localhost:3000)')
    .addHelpText('after', TRACE_HELP_AFTER)
    .action(async (target: string | undefined, opts: TraceCliOptions) => {
      process.exitCode = await runTrace(target, opts, io());
    });
}
