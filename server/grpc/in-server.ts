/**
 * The OTLP/gRPC listener inside the Next.js server process (on by default in `npm start`:
 * 127.0.0.1:4317, TRACEDECK_GRPC_PORT moves it, 0 turns it off), started from
 * instrumentation.ts `register()`.
 *
 * Running in the server process means the listener stores through the same
 * process-wide database client as the HTTP route (server/db getDb): with the
 * embedded PGlite database that is the only safe way to have both receivers,
 * since PGlite allows one process per data folder.
 */
import { describeEnrichConfig } from '../../lib/enrich/config';
import { serverConfig } from '../config';
import { loadEnrichSettingsStrict } from '../enrich-config';
import { GRPC_LISTENER, listenerNotStartedWarning } from '../listener-warnings';
import { type GrpcListener, ListenerBindError, startGrpcListener } from './server';

const globalForGrpc = globalThis as unknown as { tracedeckGrpc?: Promise<GrpcListener | null> };

/**
 * Starts the listener once per process (dev reloads reuse it). A port that cannot be
 * bound is a warning (the listener is on by default, and the web server keeps serving):
 * null. A malformed config ends the process (`tracedeck serve` has checked it already).
 */
export function startGrpcInServer(): Promise<GrpcListener | null> {
  globalForGrpc.tracedeckGrpc ??= (async () => {
    try {
      const config = serverConfig();
      const { rules } = loadEnrichSettingsStrict(config);
      const listener = await startGrpcListener({ host: config.grpc.host, port: config.grpc.port });
      console.log(`[tracedeck] OTLP/gRPC listener on ${listener.address} (${describeEnrichConfig(rules)})`);
      return listener;
    } catch (err) {
      if (err instanceof ListenerBindError) {
        const failure = err.inUse ? ({ inUse: true } as const) : ({ inUse: false, reason: err.message } as const);
        console.warn(`[tracedeck] ${listenerNotStartedWarning(GRPC_LISTENER, err.address, failure)}`);
        return null;
      }
      console.error(`[tracedeck] cannot start the OTLP/gRPC listener: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
  })();
  return globalForGrpc.tracedeckGrpc;
}
