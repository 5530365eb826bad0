/**
 * `tracedeck` command line. Subcommands:
 *   serve   build if needed, migrate, run the explorer (what `npm start` runs)
 *   seed    load demo Plano-like traces through the running server's OTLP route
 *   migrate apply database migrations and exit
 *   obs     live LLM traffic from a running Tracedeck, like `planoai obs` (cli/obs)
 *   trace   show traces from a running Tracedeck, like `planoai trace` (cli/trace);
 *           `trace listen` / `trace down` run and stop the OTLP/gRPC listener (server/grpc)
 *   query   aggregate requests or spans with the where grammar's `| by(…) <agg>` (cli/query)
 */
import { Command, InvalidArgumentError } from 'commander';
import { nodeObsIo, registerObsCommand } from './obs';
import { registerQueryCommand } from './query';
import type { ServeOptions } from './serve';
import { nodeTraceIo, registerTraceCommand } from './trace';

// serve/migrate load the database drivers (about a second): imported only when run,
// so `tracedeck trace` and `seed` start fast.
const serveModule = () => import('./serve');

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

/** The options of `serve` (and of the `serve-prepare` step its supervisor runs). */
function withServeOptions(command: Command): Command {
  return command
    .option('-p, --port <port>', 'HTTP port (default: $PORT or 3000)', positiveInt)
    .option('--hostname <host>', 'interface to bind; 0.0.0.0 exposes it to the network (default: $HOST or 127.0.0.1)')
    .option('--no-build', 'never run next build (fail if no build exists)')
    .option('--grpc', 'receive OTLP/gRPC in the server process (the default; TRACEDECK_GRPC)')
    .option('--no-grpc', 'do not receive OTLP/gRPC (same as --grpc-port 0)')
    .option('--grpc-port <port>', 'port of the OTLP/gRPC listener, 0 turns it off (default: $TRACEDECK_GRPC_PORT or 4317)', portNumber)
    .option('--grpc-host <host>', 'interface of the OTLP/gRPC listener (default: $TRACEDECK_GRPC_HOST or 127.0.0.1)')
    .option(
      '--otlp-http-port <port>',
      'port of the OTLP/HTTP listener beside the web port, 0 turns it off (default: $TRACEDECK_OTLP_HTTP_PORT or 4318)',
      portNumber,
    )
    .option('--otlp-http-host <host>', 'interface of the OTLP/HTTP listener (default: $TRACEDECK_OTLP_HTTP_HOST or 127.0.0.1)');
}

/**
 * `env` is the process environment (bin/tracedeck.mjs), handed to the commands:
 * `serve` and `migrate` parse it with server/config.ts, `trace` and `seed` take
 * their client settings (TRACEDECK_URL, TRACEDECK_TOKEN, colours) from it.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const program = new Command('tracedeck').description('Trace explorer for LLM gateways').showHelpAfterError();

  withServeOptions(program.command('serve').description('build if needed, apply migrations, and serve the explorer')).action(async (opts: ServeOptions) =>
    (await serveModule()).serveCommand(opts, env),
  );
  // Run by `serve`'s supervisor (bin/serve-supervisor.mjs): everything before the web server starts.
  withServeOptions(program.command('serve-prepare', { hidden: true }))
    .showHelpAfterError("(run 'tracedeck serve --help' for its options)")
    .action(async (opts: ServeOptions) => (await serveModule()).servePrepareCommand(opts, env));

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => (await serveModule()).migrateCommand(env));

  program
    .command('seed')
    .description('send demo Plano-like traces to a running Tracedeck over OTLP/HTTP')
    .option('--url <url>', 'Tracedeck base URL', env.TRACEDECK_URL ?? 'http://localhost:3000')
    .option('--traces <n>', 'number of traces', positiveInt, 400)
    .option('--seed <n>', 'random seed (same seed, same data)', positiveInt, 42)
    .option('--hours <n>', 'spread start times over the last N hours', positiveInt, 24)
    .option('--token <key>', 'ingest key or tenant-scoped key, when the server requires one (default: $TRACEDECK_TOKEN)')
    .action(async (opts: { url: string; traces: number; seed: number; hours: number; token?: string }) =>
      (await import('./seed')).seedCommand({ ...opts, token: opts.token ?? env.TRACEDECK_TOKEN }),
    );

  registerTraceCommand(program, () => nodeTraceIo(env));
  registerObsCommand(program, () => nodeObsIo(env));
  registerQueryCommand(program, () => nodeTraceIo(env));

  await program.parseAsync(argv);
}
