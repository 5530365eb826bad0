/**
 * `tracedeck trace listen` and `tracedeck trace down` / `stop`.
 *
 * `listen` runs the OTLP/gRPC receiver in the foreground (Ctrl-C, SIGTERM or
 * `trace down` stop it), storing into the configured database, and records
 * itself in `.tracedeck/grpc.pid`. With the embedded PGlite database it refuses
 * to open a data folder that a running `tracedeck serve` has open (PGlite allows
 * one process per folder); there, the server's own listener receives OTLP/gRPC
 * (`npm start` listens on 127.0.0.1:4317 by default).
 */
import { describeAuth } from '../../server/auth/config';
import { exposureWarning } from '../../server/auth/exposure';
import { describeEnrichConfig } from '../../lib/enrich/config';
import type { Painter } from './style';
import { ConfigError, type ServerConfig, loadConfig } from '../../server/config';
import { type CheckedConfig, checkConfigStrict } from '../../server/config-check';
import { type Db, openConfiguredDb, useDb } from '../../server/db';
import { ListenerBindError, addressInUseMessage, formatAddress, startGrpcListener } from '../../server/grpc/server';
import {
  DataDirBusyError,
  claimDataDir,
  isTracedeckProcess,
  listenerPidFile,
  pgliteDataDir,
  readListener,
  writeListener,
} from '../../server/grpc/runtime-files';

export type ListenIo = {
  out(text: string): void;
  err(text: string): void;
  painter: Painter;
  errPainter: Painter;
  env: Record<string, string | undefined>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM by default). */
  stopSignal?: () => Promise<string>;
};

const IN_SERVER_HINT =
  '`npm start` receives OTLP/gRPC itself (127.0.0.1:4317 by default; `tracedeck serve --grpc-port <PORT>` moves it): send there, or use Postgres (DATABASE_URL).';

function signalPromise(): Promise<string> {
  return new Promise((resolve) => {
    const handlers: [NodeJS.Signals, () => void][] = [];
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const handler = () => {
        for (const [s, h] of handlers) process.off(s, h);
        resolve(signal);
      };
      handlers.push([signal, handler]);
      process.on(signal, handler);
    }
  });
}

function errorLine(io: Pick<ListenIo, 'err' | 'errPainter'>, message: string): void {
  io.err(`${io.errPainter.paint('Error:', { fg: 'red', bold: true })} ${message}\n`);
}

/** `load(io.env)`, or null after printing the configuration problem. */
function configOrError<T>(io: Pick<ListenIo, 'env' | 'err' | 'errPainter'>, load: (env: ListenIo['env']) => T): T | null {
  try {
    return load(io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    errorLine(io, err.message);
    return null;
  }
}

/** Runs the listener until a stop signal; returns the exit code. --host/--port win over TRACEDECK_GRPC_HOST/PORT. */
export async function listenCommand(asked: { host?: string; port?: number }, io: ListenIo): Promise<number> {
  const { painter, errPainter } = io;
  // Every setting is checked before anything starts, as `tracedeck serve` does.
  const checked: CheckedConfig | null = configOrError(io, checkConfigStrict);
  if (!checked) return 1;
  const { config, auth } = checked;
  const opts = { host: asked.host ?? config.grpc.host, port: asked.port ?? config.grpc.port };
  const requested = formatAddress(opts.host, opts.port);
  const pidFile = listenerPidFile(config.grpc.pidFile);

  const running = readListener(pidFile);
  if (running) {
    io.err(
      `${errPainter.paint('⚠', { fg: 'yellow' })} Trace listener already running on port ${errPainter.paint(String(running.port), { fg: 'cyan' })} (PID: ${running.pid})\n` +
        `${errPainter.paint('Stop it with', { dim: true })} ${errPainter.paint('tracedeck trace down', { fg: 'cyan' })}\n`,
    );
    return 1;
  }

  const exposed = exposureWarning(auth, opts.host, `the OTLP/gRPC listener (${requested})`, { reads: false });
  if (exposed) io.err(`${errPainter.paint('⚠', { fg: 'yellow' })} ${exposed}\n`);

  let releaseDataDir: (() => void) | null = null;
  const dataDir = pgliteDataDir(config.database);
  if (dataDir) {
    try {
      releaseDataDir = claimDataDir(dataDir, 'grpc-listener', (owner) =>
        owner.role === 'server' ? IN_SERVER_HINT : 'Stop it first with `tracedeck trace down`.',
      );
    } catch (err) {
      if (err instanceof DataDirBusyError) {
        errorLine(io, `cannot start the listener: ${err.message}`);
        return 1;
      }
      throw err;
    }
  }

  // Bind first (a busy port fails fast, before the database opens); calls that
  // arrive while the database opens wait for it.
  let resolveDb: (db: Db) => void = () => {};
  let rejectDb: (err: unknown) => void = () => {};
  const dbReady = new Promise<Db>((resolve, reject) => {
    resolveDb = resolve;
    rejectDb = reject;
  });
  dbReady.catch(() => {});

  let listener;
  try {
    listener = await startGrpcListener({ host: opts.host, port: opts.port, getDb: () => dbReady });
  } catch (err) {
    releaseDataDir?.();
    if (err instanceof ListenerBindError) {
      if (err.inUse) {
        io.err(
          `${errPainter.paint('✗', { fg: 'red' })} ${addressInUseMessage(requested)}\n\n` +
            `${errPainter.paint("Check what's using the port:", { dim: true })}\n  ${errPainter.paint(`lsof -i :${opts.port}`, { fg: 'cyan' })}\n`,
        );
      } else {
        io.err(`${errPainter.paint('✗', { fg: 'red' })} ${err.message}\n`);
      }
      return 1;
    }
    throw err;
  }

  let db: Db | null = null;
  io.out(
    painter.paint(`Listening on ${listener.address}; opening the database${dataDir ? ' (a new PGlite folder takes a while to initialise)' : ''}…\n`, {
      dim: true,
    }),
  );
  try {
    db = await openConfiguredDb(config);
    await db.migrate();
    useDb(db);
    resolveDb(db);
  } catch (err) {
    rejectDb(err);
    await listener.close(0);
    await db?.close().catch(() => {});
    releaseDataDir?.();
    errorLine(io, `cannot open the database: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }

  const removePidFile = writeListener(
    { pid: process.pid, host: listener.host, port: listener.port, startedAt: new Date().toISOString(), database: db.describe() },
    pidFile,
  );
  const accent = { fg: '#f7a9a9', bold: true };
  io.out(
    [
      '',
      painter.paint('Trace listener started', accent),
      `${painter.paint('●', { fg: 'green' })} gRPC (OTLP receiver) on ${painter.paint(listener.address, { fg: 'cyan' })}`,
      painter.paint(`Storing into ${db.describe()}`, { dim: true }),
      painter.paint(describeEnrichConfig(checked.enrich.rules), { dim: true }),
      painter.paint(describeAuth(auth), { dim: true }),
      painter.paint(`Process ID: ${process.pid}`, { dim: true }),
      painter.paint(
        dataDir
          ? 'Stop it with Ctrl-C or `tracedeck trace down`, then view the traces with `npm start` and `tracedeck trace` (PGlite: one process per data folder).'
          : 'Use `tracedeck trace` (with a Tracedeck server on the same database) to view collected traces. Stop with Ctrl-C or `tracedeck trace down`.',
        { dim: true },
      ),
      '',
    ]
      .map((l) => `${l}\n`)
      .join(''),
  );

  const signal = await (io.stopSignal ?? signalPromise)();
  io.out(painter.paint(`Stopping the trace listener (${signal})…\n`, { dim: true }));
  await listener.close(2000);
  await db.close().catch(() => {});
  removePidFile();
  releaseDataDir?.();
  return 0;
}

/** `tracedeck trace down` / `stop`: stops the listener recorded in the pid file. */
export async function downCommand(io: Omit<ListenIo, 'stopSignal'>, timeoutMs = 10_000): Promise<number> {
  const { painter } = io;
  const config: ServerConfig | null = configOrError(io, loadConfig);
  if (!config) return 1;
  const pidFile = listenerPidFile(config.grpc.pidFile);
  const running = readListener(pidFile);
  if (!running) {
    io.out(`${painter.paint('No background trace listener running', { dim: true })}\n`);
    return 0;
  }
  try {
    process.kill(running.pid, 'SIGTERM');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ESRCH') {
      errorLine(io, `cannot stop the trace listener (PID ${running.pid}): ${code ?? String(err)}`);
      return 1;
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (isTracedeckProcess(running.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isTracedeckProcess(running.pid)) {
    errorLine(io, `the trace listener (PID ${running.pid}) did not stop within ${Math.round(timeoutMs / 1000)}s`);
    return 1;
  }
  readListener(pidFile); // clears the pid file if the listener could not
  io.out(`${painter.paint('✓', { fg: 'green' })} Trace listener stopped\n`);
  return 0;
}
