/**
 * The OTLP/gRPC listener inside the Next.js server process (`TRACEDECK_GRPC=1 npm start`
 * or `tracedeck serve --grpc`), started from instrumentation.ts `register()`.
 *
 * Running in the server process means the listener stores through the same
 * process-wide database client as the HTTP route (db/client getDb): with the
 * embedded PGlite database that is the only safe way to have both receivers,
 * since PGlite allows one process per data folder.
 */
import { applyRandomSampling, describeEnrichConfig, loadEnrichConfigStrict } from '../../lib/enrich/config';
import { DEFAULT_GRPC_HOST, DEFAULT_GRPC_PORT, type GrpcListener, ListenerBindError, startGrpcListener } from './server';

type Env = Record<string, string | undefined>;

export function grpcEnabled(env: Env = process.env): boolean {
  return /^(1|true|yes|on)$/i.test(env.TRACEDECK_GRPC?.trim() ?? '');
}

export function grpcPort(env: Env = process.env): number {
  const raw = env.TRACEDECK_GRPC_PORT?.trim();
  if (!raw) return DEFAULT_GRPC_PORT;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new Error(`TRACEDECK_GRPC_PORT must be a port number (got '${raw}')`);
  return n;
}

const globalForGrpc = globalThis as unknown as { tracedeckGrpc?: Promise<GrpcListener> };

/**
 * Starts the listener once per process (dev reloads reuse it). A port that
 * cannot be bound or a malformed config ends the process with a clear message:
 * the user asked for the listener, so the server must not run without it.
 */
export function startGrpcInServer(env: Env = process.env): Promise<GrpcListener> {
  globalForGrpc.tracedeckGrpc ??= (async () => {
    try {
      const config = loadEnrichConfigStrict(env);
      applyRandomSampling(config, env);
      const listener = await startGrpcListener({
        host: env.TRACEDECK_GRPC_HOST?.trim() || DEFAULT_GRPC_HOST,
        port: grpcPort(env),
        portHint: '`tracedeck serve --grpc --grpc-port <PORT>` (or set TRACEDECK_GRPC_PORT)',
      });
      console.log(`[tracedeck] OTLP/gRPC listener on ${listener.address} (${describeEnrichConfig(config)})`);
      return listener;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.error(err instanceof ListenerBindError ? `[tracedeck] ✗ ${message}` : `[tracedeck] cannot start the OTLP/gRPC listener: ${message}`);
      process.exit(1);
    }
  })();
  return globalForGrpc.tracedeckGrpc;
}
