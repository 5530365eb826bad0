/**
 * The OTLP/gRPC listener inside the Next.js server process (`TRACEDECK_GRPC=1 npm start`
 * or `tracedeck serve --grpc`), started from instrumentation.ts `register()`.
 *
 * Running in the server process means the listener stores through the same
 * process-wide database client as the HTTP route (server/db getDb): with the
 * embedded PGlite database that is the only safe way to have both receivers,
 * since PGlite allows one process per data folder.
 */
import { describeEnrichConfig } from '../../lib/enrich/config';
import { serverConfig } from '../config';
import { loadEnrichSettingsStrict } from '../enrich-config';
import { type GrpcListener, ListenerBindError, startGrpcListener } from './server';

const globalForGrpc = globalThis as unknown as { tracedeckGrpc?: Promise<GrpcListener> };

/**
 * Starts the listener once per process (dev reloads reuse it). A port that
 * cannot be bound or a malformed config ends the process with a clear message:
 * the user asked for the listener, so the server must not run without it.
 */
export function startGrpcInServer(): Promise<GrpcListener> {
  globalForGrpc.tracedeckGrpc ??= (async () => {
    try {
      const config = serverConfig();
      const { rules } = loadEnrichSettingsStrict(config);
      const listener = await startGrpcListener({
        host: config.grpc.host,
        port: config.grpc.port,
        portHint: '`tracedeck serve --grpc --grpc-port <PORT>` (or set TRACEDECK_GRPC_PORT)',
      });
      console.log(`[tracedeck] OTLP/gRPC listener on ${listener.address} (${describeEnrichConfig(rules)})`);
      return listener;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.error(err instanceof ListenerBindError ? `[tracedeck] ✗ ${message}` : `[tracedeck] cannot start the OTLP/gRPC listener: ${message}`);
      process.exit(1);
    }
  })();
  return globalForGrpc.tracedeckGrpc;
}
