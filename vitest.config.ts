import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = { '@': path.resolve(import.meta.dirname) };

// Three projects, one per layer of the suite; `npm test` runs them in order.
/**
 * postgres.js fetches the server's array types on a new connection from inside its protocol handler,
 * and nobody awaits that query: when the server goes away mid-handshake (tests/integration/faults.test.ts
 * stops it on purpose) the rejection is unhandled, though every query of ours still fails and is
 * reported as it should. Only that rejection is ignored; any other unhandled error still fails the run.
 */
function isPostgresTypeFetchOnClosedConnection(error: unknown): boolean {
  const e = error as { code?: unknown; query?: unknown };
  return e?.code === 'CONNECTION_CLOSED' && typeof e.query === 'string' && e.query.includes('pg_catalog.pg_type') && e.query.includes('typarray');
}

export default defineConfig({
  resolve: { alias },
  test: {
    onUnhandledError: (error) => (isPostgresTypeFetchOnClosedConnection(error) ? false : undefined),
    projects: [
      { resolve: { alias }, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      {
        resolve: { alias },
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 120_000 },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // One built server shared by the browser tests: run the files one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
