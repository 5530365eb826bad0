/**
 * OTLP/gRPC end to end with the real binary:
 * - `tracedeck serve` runs the listener inside the Next server (instrumentation.ts;
 *   a busy port is tests/e2e/zero-config.test.ts's); spans exported with @opentelemetry/exporter-trace-otlp-grpc
 *   (plain and gzip) are read back with `tracedeck trace <id> --url …`;
 * - `tracedeck trace listen` on a busy port prints planoai's message; on the server's
 *   PGlite folder it refuses; on its own it stores spans, records its pid, and
 *   `tracedeck trace down` stops it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client';
import { type AppServer, freePort, startAppServer } from '../support/app-server';

type Run = { code: number; stdout: string; stderr: string };
const BIN = 'bin/tracedeck.mjs';

function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', ...extra };
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'TRACEDECK_URL', 'TRACEDECK_GRPC', 'TRACEDECK_GRPC_PORT', 'TRACEDECK_CONFIG'])
    if (!(key in extra)) delete env[key];
  return env;
}

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: cliEnv(env), timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function exportTrace(port: number, tenant: string, compression: 'none' | 'gzip'): Promise<string> {
  const metadata = new Metadata();
  metadata.set('x-katanemo-tenant-id', tenant);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'plano(inbound)' }),
    spanProcessors: [new SimpleSpanProcessor(new OtlpGrpcExporter({ url: `http://127.0.0.1:${port}`, metadata, compression: compression as never }))],
  });
  const tracer = provider.getTracer('tracedeck-e2e-grpc');
  const root = tracer.startSpan('POST /v1/chat/completions', { kind: SpanKind.SERVER, attributes: { 'http.method': 'POST', 'http.status_code': 200 } });
  tracer.startSpan('route', { kind: SpanKind.INTERNAL }, trace.setSpan(context.active(), root)).end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

describe('OTLP/gRPC inside `tracedeck serve` (TRACEDECK_GRPC=1), read back with `tracedeck trace`', () => {
  let app: AppServer;
  let grpcPort: number;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-grpc-e2e-'));
  const pidFile = path.join(scratch, 'grpc.pid');

  beforeAll(async () => {
    grpcPort = await freePort();
    app = await startAppServer({ TRACEDECK_GRPC: '1', TRACEDECK_GRPC_PORT: String(grpcPort) });
  });
  afterAll(async () => {
    await app?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('the server says where the listener is', () => {
    expect(app.output()).toContain(`OTLP/gRPC listener on 127.0.0.1:${grpcPort}`);
  });

  for (const compression of ['none', 'gzip'] as const) {
    it(`spans exported over gRPC (compression ${compression}) show up in \`tracedeck trace <id>\`, tagged from the metadata`, async () => {
      const tenant = `grpc-e2e-${compression}`;
      const traceId = await exportTrace(grpcPort, tenant, compression);
      const tree = await run(['trace', traceId, '--url', app.url, '-v'], {});
      expect(tree.code, tree.stderr).toBe(0);
      expect(tree.stdout).toContain(`Trace: ${traceId} (`);
      expect(tree.stdout).toMatch(/^└── 0ms plano\(inbound\) POST \/v1\/chat\/completions$/m);
      expect(tree.stdout).toMatch(/route$/m);
      expect(tree.stdout).toContain(`tenant.id: ${tenant}`);
      const ids = await run(['trace', '--where', `tenant.id=${tenant}`, '--list', '--json'], { TRACEDECK_URL: app.url });
      expect(JSON.parse(ids.stdout)).toEqual({ trace_ids: [traceId] });
    });
  }

  it('`trace listen` on the port the server holds: planoai’s address-in-use message, exit 1', async () => {
    const r = await run(['trace', 'listen', '--port', String(grpcPort)], {
      TRACEDECK_DATA_DIR: path.join(scratch, 'other-data'),
      TRACEDECK_GRPC_PID_FILE: pidFile,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Failed to start OTLP listener on 127.0.0.1:${grpcPort}: address is already in use.\nStop the process using that port or run \`tracedeck trace listen --port <PORT>\`.`,
    );
    expect(r.stderr).toContain(`lsof -i :${grpcPort}`);
    expect(fs.existsSync(pidFile)).toBe(false);
  });

  it('`trace listen` on the server’s embedded database folder refuses (PGlite: one process per folder)', async () => {
    const r = await run(['trace', 'listen', '--port', String(await freePort())], { TRACEDECK_DATA_DIR: app.dataDir, TRACEDECK_GRPC_PID_FILE: pidFile });
    expect(r.code).toBe(1);
    // The claim names `tracedeck serve` itself, the supervisor that lives as long as the server
    // (its preparing child, which migrated and claimed, has exited).
    expect(r.stderr).toContain(`the embedded database at ${app.dataDir} is open in the Tracedeck server (PID ${app.pid})`);
    expect(r.stderr).toContain('`npm start` receives OTLP/gRPC itself');
  });

  it('--host/--port belong to listen only', async () => {
    const r = await run(['trace', 'last', '--port', '4317', '--url', app.url], {});
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain("--host/--port are only valid with target 'listen'.");
  });
});

describe('`tracedeck trace listen` / `down` (standalone listener, own PGlite folder)', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-listen-e2e-'));
  const dataDir = path.join(scratch, 'data');
  const pidFile = path.join(scratch, 'grpc.pid');
  const env = { TRACEDECK_DATA_DIR: dataDir, TRACEDECK_GRPC_PID_FILE: pidFile };
  let child: ChildProcess | undefined;
  let output = '';

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('runs in the foreground, stores exported spans, and `down` stops it', async () => {
    const port = await freePort();
    child = spawn(process.execPath, [BIN, 'trace', 'listen', '--port', String(port), '--host', '127.0.0.1'], {
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Trace listener started')) {
      if (child.exitCode !== null) throw new Error(`listen exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`listen did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain(`gRPC (OTLP receiver) on 127.0.0.1:${port}`);
    expect(output).toContain(`Process ID: ${child.pid}`);
    expect(JSON.parse(fs.readFileSync(pidFile, 'utf8'))).toMatchObject({ pid: child.pid, port, host: '127.0.0.1' });

    const traceId = await exportTrace(port, 'standalone', 'gzip');

    const again = await run(['trace', 'listen', '--port', String(await freePort())], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Trace listener already running on port ${port} (PID: ${child.pid})`);

    const down = await run(['trace', 'down'], env);
    expect(down).toMatchObject({ code: 0, stdout: '✓ Trace listener stopped\n' });
    expect(await exited).toBe(0);
    expect(fs.existsSync(pidFile)).toBe(false);
    expect(await run(['trace', 'stop'], env)).toMatchObject({ code: 0, stdout: 'No background trace listener running\n' });

    // The folder is free again: the spans are in it, tagged by the metadata header.
    const db = await createDb({ databaseUrl: '', dataDir });
    try {
      const rows = await db.rows<{ name: string; tenant_id: string }>(sql`SELECT name, tenant_id FROM spans WHERE trace_id = ${traceId} ORDER BY name`);
      expect(rows).toEqual([
        { name: 'POST /v1/chat/completions', tenant_id: 'standalone' },
        { name: 'route', tenant_id: 'standalone' },
      ]);
    } finally {
      await db.close();
    }
  });
});
