/**
 * The OTLP/HTTP listener inside the Next.js server process (on by default in `npm start`:
 * 127.0.0.1:4318, TRACEDECK_OTLP_HTTP_PORT moves it, 0 turns it off), started from
 * instrumentation.ts `register()`. Running in the server process means it stores through
 * the same database client as the web port's route (PGlite allows one process per folder).
 * A port it cannot bind is a warning: the web server keeps serving.
 */
import { serverConfig } from '../config';
import { receiveOtlpHttpExport } from '../ingest/http-export';
import { OTLP_HTTP_LISTENER, listenerNotStartedWarning } from '../listener-warnings';
import { OtlpHttpBindError, type OtlpHttpListener, startOtlpHttpListener } from './listener';

const globalForOtlpHttp = globalThis as unknown as { tracedeckOtlpHttp?: Promise<OtlpHttpListener | null> };

/** Starts the listener once per process (dev reloads reuse it); null when it could not bind. */
export function startOtlpHttpInServer(): Promise<OtlpHttpListener | null> {
  globalForOtlpHttp.tracedeckOtlpHttp ??= (async () => {
    const { host, port } = serverConfig().otlpHttp;
    try {
      const listener = await startOtlpHttpListener({ host, port, handle: receiveOtlpHttpExport });
      console.log(`[tracedeck] OTLP/HTTP listener on http://${listener.address}/v1/traces`);
      return listener;
    } catch (err) {
      if (!(err instanceof OtlpHttpBindError)) throw err;
      const failure = err.inUse ? ({ inUse: true } as const) : ({ inUse: false, reason: err.message } as const);
      console.warn(`[tracedeck] ${listenerNotStartedWarning(OTLP_HTTP_LISTENER, err.address, failure)}`);
      return null;
    }
  })();
  return globalForOtlpHttp.tracedeckOtlpHttp;
}
