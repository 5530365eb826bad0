/**
 * Next.js calls `register()` once when a server process starts. With
 * TRACEDECK_GRPC=1 (what `tracedeck serve --grpc` sets) it starts the OTLP/gRPC
 * listener in this process, so it shares the route handlers' database client
 * (PGlite allows one process per data folder). Node.js runtime only.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (!/^(1|true|yes|on)$/i.test(process.env.TRACEDECK_GRPC?.trim() ?? '')) return;
  const { startGrpcInServer } = await import('./server/grpc/in-server');
  await startGrpcInServer();
}
