/**
 * `tracedeck` command line. Subcommands:
 *   serve   build if needed, migrate, run the explorer (what `npm start` runs)
 *   seed    load demo Plano-like traces through the running server's OTLP route
 *   migrate apply database migrations and exit
 *   trace   show traces from a running Tracedeck, like `planoai trace` (cli/trace);
 *           `trace listen` / `trace down` run and stop the OTLP/gRPC listener (server/grpc)
 *   query   aggregate requests or spans with the where grammar's `| by(…) <agg>` (cli/query)
 */
import { Command, InvalidArgumentError } from 'commander';
import { registerQueryCommand } from './query';
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

/**
 * `env` is the process environment (bin/tracedeck.mjs), handed to the commands:
 * `serve` and `migrate` parse it with server/config.ts, `trace` and `seed` take
 * their client settings (TRACEDECK_URL, TRACEDECK_TOKEN, colours) from it.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const program = new Command('tracedeck').description('Trace explorer for LLM gateways').showHelpAfterError();

  program
    .command('serve')
    .description('build if needed, apply migrations, and serve the explorer')
    .option('-p, --port <port>', 'HTTP port (default: $PORT or 3000)', positiveInt)
    .option('--hostname <host>', 'interface to bind; 0.0.0.0 exposes it to the network (default: $HOST or 127.0.0.1)')
    .option('--no-build', 'never run next build (fail if no build exists)')
    .option('--grpc', 'also receive OTLP/gRPC in the server process (same as TRACEDECK_GRPC=1)')
    .option('--grpc-port <port>', 'port of the OTLP/gRPC listener (implies --grpc; default: $TRACEDECK_GRPC_PORT or 4317)', portNumber)
    .option('--grpc-host <host>', 'interface of the OTLP/gRPC listener (implies --grpc; default: $TRACEDECK_GRPC_HOST or 127.0.0.1)')
    .action(async (opts: { port?: number; hostname?: string; build: boolean; grpc?: boolean; grpcPort?: number; grpcHost?: string }) =>
      (await serveModule()).serveCommand(opts, env),
    );

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
  registerQueryCommand(program, () => nodeTraceIo(env));

  await program.parseAsync(argv);
}
