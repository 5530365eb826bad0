/**
 * Zero configuration with Plano and any SDK (`tracedeck serve` as `npm start` runs it):
 * - OTLP/HTTP on its own port beside the web port (:4318 by default) and OTLP/gRPC (:4317),
 *   both stored through the web port's handler: spans from the official exporters read back;
 * - with TRACEDECK_CONFIG unset, Plano's config is found the way planoai finds it (here
 *   ~/.plano/default_config.yaml, HOME pointing at a temporary folder), and the start line names it;
 * - a busy port is a warning that says what to do, and the web server keeps serving.
 * Free ports stand for 4317/4318, so parallel test servers never collide (the defaults
 * themselves are tests/unit/cli/serve.test.ts's).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpHttpExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, freePort, startAppServer } from '../support/app-server';

/** One span through `exporter`; its trace id. */
async function exportSpan(exporter: SpanExporter, name: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'plano(llm)' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const span = provider.getTracer('tracedeck-e2e-zero-config').startSpan(name, { kind: SpanKind.CLIENT, attributes: { 'tenant.id': 'zero-config' } });
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
  return span.spanContext().traceId;
}

type Span = { name: string; attributes: Record<string, unknown> };

/** The trace's spans once the summarizer has made it readable (about a second after ingest). */
async function storedSpans(app: AppServer, traceId: string): Promise<Span[]> {
  const read = () => fetch(`${app.url}/api/traces/${traceId}`);
  await expect.poll(async () => (await read()).status, { timeout: 20_000, interval: 250 }).toBe(200);
  return ((await (await read()).json()) as { spans: Span[] }).spans;
}

describe('`tracedeck serve` with no configuration: OTLP/HTTP and OTLP/gRPC beside the web port, Plano’s config found', () => {
  let app: AppServer;
  let httpPort: number;
  let grpcPort: number;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-home-'));
  const planoDefault = path.join(home, '.plano', 'default_config.yaml');

  beforeAll(async () => {
    fs.mkdirSync(path.dirname(planoDefault));
    // planoai's zero-config default, plus a static attribute to see it applied.
    fs.writeFileSync(
      planoDefault,
      'version: v0.4.0\nlisteners:\n  - name: llm\n    type: model\n    port: 12000\ntracing:\n  random_sampling: 100\n  opentracing_grpc_endpoint: http://localhost:4317\n  span_attributes:\n    static:\n      deployment: zero-config-e2e\n',
    );
    [httpPort, grpcPort] = [await freePort(), await freePort()];
    app = await startAppServer({
      HOME: home,
      TRACEDECK_CONFIG: undefined,
      TRACEDECK_GRPC: undefined,
      TRACEDECK_GRPC_PORT: String(grpcPort),
      TRACEDECK_OTLP_HTTP_PORT: String(httpPort),
    });
  });
  afterAll(async () => {
    await app?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('the start lines name the Plano config file and both listeners', () => {
    expect(app.output()).toContain(`[tracedeck] Plano config: ${planoDefault} (found the way planoai finds it;`);
    expect(app.output()).toContain(`[tracedeck] span attributes from ${planoDefault}:`);
    expect(app.output()).toContain(`[tracedeck] OTLP/HTTP listener on http://127.0.0.1:${httpPort}/v1/traces`);
    expect(app.output()).toContain(`[tracedeck] OTLP/gRPC listener on 127.0.0.1:${grpcPort}`);
  });

  it('an SDK exporting OTLP/HTTP to the OTLP port is stored, with the Plano config’s static attribute', async () => {
    const traceId = await exportSpan(new OtlpHttpExporter({ url: `http://127.0.0.1:${httpPort}/v1/traces` }), 'POST /v1/chat/completions (http)');
    const [span] = await storedSpans(app, traceId);
    expect(span.name).toBe('POST /v1/chat/completions (http)');
    expect(span.attributes).toMatchObject({ 'tenant.id': { stringValue: 'zero-config' }, deployment: { stringValue: 'zero-config-e2e' } });
  });

  it('Plano exporting OTLP/gRPC is stored too', async () => {
    const traceId = await exportSpan(new OtlpGrpcExporter({ url: `http://127.0.0.1:${grpcPort}` }), 'POST /v1/chat/completions (grpc)');
    const [span] = await storedSpans(app, traceId);
    expect(span.name).toBe('POST /v1/chat/completions (grpc)');
    expect(span.attributes).toMatchObject({ deployment: { stringValue: 'zero-config-e2e' } });
  });

  it('the OTLP/HTTP port answers like the web port’s route, and only at POST /v1/traces', async () => {
    const base = `http://127.0.0.1:${httpPort}`;
    const bad = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    const web = await fetch(`${app.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect([bad.status, await bad.text()]).toEqual([web.status, await web.text()]);
    expect(bad.status).toBe(415);
    expect(bad.headers.get('x-content-type-options')).toBe('nosniff');
    const get = await fetch(`${base}/v1/traces`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    const other = await fetch(`${base}/api/traces`);
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('this port receives OTLP/HTTP traces at POST /v1/traces');
  });

  it('a body over the size limit gets its 413 on the OTLP port too', async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array(9 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
  });
});

describe('`tracedeck serve` when the OTLP ports are taken', () => {
  let app: AppServer;
  const holders: net.Server[] = [];
  let ports: number[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const holder = net.createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      holders.push(holder);
    }
    ports = holders.map((h) => (h.address() as net.AddressInfo).port);
    app = await startAppServer({ TRACEDECK_GRPC_PORT: String(ports[0]), TRACEDECK_OTLP_HTTP_PORT: String(ports[1]) });
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all(holders.map((h) => new Promise((resolve) => h.close(resolve))));
  });

  it('warns for each, saying what to do, and the web server keeps serving and receiving', async () => {
    expect(app.output()).toContain(
      `[tracedeck] WARNING: OTLP/gRPC is not being received: 127.0.0.1:${ports[0]} is already in use (another Tracedeck, \`planoai trace listen\` or an OpenTelemetry Collector?). The web server keeps serving. To receive OTLP/gRPC, stop the process using it (\`lsof -i :${ports[0]}\`) or move this listener: TRACEDECK_GRPC_PORT=<port> npm start (or \`tracedeck serve --grpc-port <port>\`); TRACEDECK_GRPC_PORT=0 turns it off.`,
    );
    expect(app.output()).toContain(`[tracedeck] WARNING: OTLP/HTTP is not being received: 127.0.0.1:${ports[1]} is already in use`);
    expect(app.output()).toContain('TRACEDECK_OTLP_HTTP_PORT=<port> npm start (or `tracedeck serve --otlp-http-port <port>`)');
    const traceId = await exportSpan(new OtlpHttpExporter({ url: `${app.url}/v1/traces` }), 'through the web port');
    expect((await storedSpans(app, traceId))[0].name).toBe('through the web port');
  });
});
