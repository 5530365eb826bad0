/**
 * Next.js calls `register()` once when a server process starts. It starts the OTLP
 * listeners beside the web port (on by default: gRPC on 127.0.0.1:4317, HTTP on
 * 127.0.0.1:4318; port 0 turns either off) in this process, so they share the route
 * handlers' database client (PGlite allows one process per data folder). Node.js runtime only.
 */
import { isNodeRuntime, serverConfig } from './server/config';

export async function register(): Promise<void> {
  if (!isNodeRuntime()) return;
  const { grpc, otlpHttp } = serverConfig();
  const started: Promise<unknown>[] = [];
  if (grpc.enabled) started.push(import('./server/grpc/in-server').then((m) => m.startGrpcInServer()));
  if (otlpHttp.enabled) started.push(import('./server/otlp-http/in-server').then((m) => m.startOtlpHttpInServer()));
  await Promise.all(started);
}
