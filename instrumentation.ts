/**
 * Next.js calls `register()` once when a server process starts. With
 * TRACEDECK_GRPC=1 (what `tracedeck serve --grpc` sets) it starts the OTLP/gRPC
 * listener in this process, so it shares the route handlers' database client
 * (PGlite allows one process per data folder). Node.js runtime only.
 */
import { isNodeRuntime, serverConfig } from './server/config';

export async function register(): Promise<void> {
  if (!isNodeRuntime()) return;
  if (!serverConfig().grpc.enabled) return;
  const { startGrpcInServer } = await import('./server/grpc/in-server');
  await startGrpcInServer();
}
