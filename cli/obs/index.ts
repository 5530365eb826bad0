/**
 * Registers `tracedeck obs` and wires it to the process: stdout/stderr, colours, the
 * terminal's width, in-place redraws (log-update: it erases the previous frame, hides the
 * cursor and restores it on exit) and Ctrl-C.
 */
import type { Command } from 'commander';
import { createLogUpdate } from 'log-update';
import { TracedeckClient } from '../trace/client';
import { createPainter, detectColorDepth } from '../trace/style';
import { type ObsIo, type ObsOptions, runObs } from './command';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export const OBS_HELP_AFTER = `
On a terminal the screen is redrawn every --interval seconds until Ctrl-C; piped or
redirected, it prints once. --json prints the numbers (the GET /api/live answer).

Examples:
  tracedeck obs                                   last 5 minutes, redrawn every 2 s
  tracedeck obs --since 1h --where tenant.id=acme-corp
  tracedeck obs --where 'llm.model~"claude-*"' --interval 5
  tracedeck obs --since 24h --json | jq .totals
`;

/** The command's I/O on this process. */
export function nodeObsIo(env: Record<string, string | undefined>): ObsIo {
  const tty = Boolean(process.stdout.isTTY);
  const log = tty ? createLogUpdate(process.stdout) : null;
  let stop: (() => void) | null = null;
  let stopped = false;
  // Only the redraw loop waits for Ctrl-C; printed once, the default (exit) is right.
  if (tty)
    process.once('SIGINT', () => {
      stopped = true;
      stop?.();
    });
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    painter: createPainter(detectColorDepth(process.stdout, env)),
    errPainter: createPainter(detectColorDepth(process.stderr, env)),
    tty,
    columns: process.stdout.columns ?? 120,
    client: (baseUrl, token) => new TracedeckClient(baseUrl, undefined, undefined, token),
    redraw: (text) => log?.(text),
    wait: (ms) =>
      new Promise<boolean>((resolve) => {
        if (stopped) return resolve(true);
        const timer = setTimeout(() => resolve(false), ms);
        stop = () => {
          clearTimeout(timer);
          log?.done();
          resolve(true);
        };
      }),
    env,
  };
}

export function registerObsCommand(program: Command, io: () => ObsIo): Command {
  return program
    .command('obs')
    .description('live LLM traffic from a Tracedeck server, like `planoai obs`')
    .option('--where <filter>', 'only requests matching this where filter; repeatable (AND)', collect)
    .option('--since <window>', 'window to aggregate, up to 24h (e.g. 5m, 1h, 24h)', '5m')
    .option('--interval <seconds>', 'seconds between redraws on a terminal', '2')
    .option('--recent <n>', 'how many of the newest requests to list (1-100)', '15')
    .option('--json', 'print the numbers as JSON once (the GET /api/live answer)')
    .option('--url <url>', 'Tracedeck base URL (default: $TRACEDECK_URL or http://localhost:3000)')
    .option('--token <token>', 'read token or tenant-scoped key, when the server requires one (default: $TRACEDECK_TOKEN)')
    .addHelpText('after', OBS_HELP_AFTER)
    .action(async (opts: ObsOptions) => {
      process.exitCode = await runObs(opts, io());
    });
}
