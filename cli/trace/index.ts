/**
 * Registers `tracedeck trace [TARGET]` (planoai's `trace` options, plus --url)
 * and wires it to the process: stdout/stderr, colours, the terminal picker.
 * The targets `listen` and `down`/`stop` manage the OTLP/gRPC listener
 * (cli/trace/listen), checked here before runTrace as planoai does.
 */
import type { Command } from 'commander';
import type { TraceCliOptions } from './args';
import { TracedeckClient } from './client';
import { type TraceIo, runTrace } from './command';
import { pickTrace } from './picker';
import { createPainter, detectColorDepth } from './style';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** The listener module loads the database drivers and grpc-js: only when `listen`/`down` run. */
const listenModule = () => import('./listen');

/** `trace`'s options plus the listener's --host/--port (undefined unless given). */
export type TraceCommandOptions = TraceCliOptions & { host?: string; port?: string };

/** True when any option of the show command was given (planoai then treats listen/down as a trace id). */
export function hasShowOptions(opts: TraceCommandOptions): boolean {
  return Boolean(
    (opts.filter && opts.filter.length > 0) ||
    (opts.where && opts.where.length > 0) ||
    opts.list ||
    opts.interactive === false ||
    opts.limit !== undefined ||
    opts.since !== undefined ||
    opts.json ||
    opts.verbose ||
    opts.foldInternal,
  );
}

/** --port: an integer in 0..65535 (0: any free port), undefined when not given (TRACEDECK_GRPC_PORT or 4317 then), or an error message. */
export function parseListenPort(raw: string | undefined): number | undefined | string {
  const text = (raw ?? '').trim();
  if (text === '') return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) return `Invalid port '${text}': use a number between 0 and 65535.`;
  return n;
}

export const TRACE_HELP_AFTER = `
Targets:
  last        the newest trace matching the filters (default)
  any         every trace matching the filters (with --json: all of them, up to --limit, default 50)
  <8 hex>     a trace by short id (the first 8 characters)
  <32 hex>    a trace by full id
  listen      run the OTLP/gRPC receiver in the foreground (--host, --port; default 127.0.0.1:4317)
  down, stop  stop the receiver started with 'listen'

Examples:
  tracedeck trace                                   newest trace as a span tree
  tracedeck trace --list                            pick one of the recent traces
  tracedeck trace 3f2a9c1d --filter 'http.*,llm.*'  one trace, some attributes
  tracedeck trace any --where tenant.id=acme-corp --where http.status_code=502 --json
  tracedeck trace --since 1h --where 'http.status_code>=500 OR duration>2s' --list
  tracedeck trace listen --port 4317                OTLP/gRPC in (Plano: tracing.opentracing_grpc_endpoint: http://localhost:4317)
`;

/** The command's I/O on this process; `env` is the environment cli/main.ts hands down. */
export function nodeTraceIo(env: Record<string, string | undefined>): TraceIo {
  // `tracedeck trace --list | head`: a closed pipe ends the command quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const painter = createPainter(detectColorDepth(process.stdout, env));
  const errPainter = createPainter(detectColorDepth(process.stderr, env));
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    painter,
    errPainter,
    tty: Boolean(process.stdout.isTTY && process.stdin.isTTY),
    pick: (labels) => pickTrace(labels, { input: process.stdin, output: process.stdout, painter }),
    client: (baseUrl, token) => new TracedeckClient(baseUrl, undefined, undefined, token ?? null),
    env,
  };
}

export function registerTraceCommand(program: Command, io: () => TraceIo): Command {
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
    .option('--fold-internal', 'fold gateway-internal spans (Plano routing, orchestration, hand-off: the server’s TRACEDECK_INTERNAL_SPANS) into their parents')
    .option('--token <token>', 'read token or tenant-scoped key, when the server requires one (default: $TRACEDECK_TOKEN)')
    .option(
      '--host <host>',
      "interface the listener binds when target is 'listen'; 0.0.0.0 exposes it to the network (default: $TRACEDECK_GRPC_HOST or 127.0.0.1)",
    )
    .option('--port <port>', "gRPC port for receiving OTLP traces when target is 'listen' (default: $TRACEDECK_GRPC_PORT or 4317)")
    .addHelpText('after', TRACE_HELP_AFTER)
    .action(async (target: string | undefined, opts: TraceCommandOptions) => {
      const ctx = io();
      const fail = (message: string) => {
        ctx.err(`${ctx.errPainter.paint('Error:', { fg: 'red', bold: true })} ${message}\n`);
        return 1;
      };
      const show = hasShowOptions(opts);
      if (target === 'listen' && !show) {
        const port = parseListenPort(opts.port);
        if (typeof port === 'string') {
          process.exitCode = fail(port);
          return;
        }
        process.exitCode = await (await listenModule()).listenCommand({ host: opts.host?.trim() || undefined, port }, ctx);
        return;
      }
      if (opts.host !== undefined || opts.port !== undefined) {
        process.exitCode = fail("--host/--port are only valid with target 'listen'.");
        return;
      }
      if ((target === 'down' || target === 'stop') && !show) {
        process.exitCode = await (await listenModule()).downCommand(ctx);
        return;
      }
      process.exitCode = await runTrace(target, opts, ctx);
    });
}
