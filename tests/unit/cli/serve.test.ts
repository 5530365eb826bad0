/**
 * Where `tracedeck serve` binds: 127.0.0.1 unless an option or HOST /
 * TRACEDECK_GRPC_HOST / TRACEDECK_OTLP_HTTP_HOST says otherwise; OTLP on 4317 (gRPC)
 * and 4318 (HTTP) by default, port 0 turning either off; the options reach the Next
 * server as variables.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { describeListeners, listenerChildEnv, nextEnv, nextServerEnv, serveListeners } from '../../../cli/serve';
import { loadConfig } from '../../../server/config';

describe('serveListeners', () => {
  it('binds loopback by default: web on 3000, OTLP/gRPC on 4317, OTLP/HTTP on 4318', () => {
    expect(serveListeners({ build: true }, loadConfig({}))).toEqual({
      web: { host: '127.0.0.1', port: 3000 },
      grpc: { host: '127.0.0.1', port: 4317 },
      otlpHttp: { host: '127.0.0.1', port: 4318 },
    });
  });

  it('HOST / PORT expose the web server; --hostname and --port win over them', () => {
    const config = loadConfig({ HOST: '0.0.0.0', PORT: '8080' });
    expect(serveListeners({ build: true }, config).web).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(serveListeners({ build: true, hostname: '127.0.0.1', port: 3100 }, config).web).toEqual({ host: '127.0.0.1', port: 3100 });
  });

  it('the gRPC listener: variables and options move it; port 0, TRACEDECK_GRPC=0 and --no-grpc turn it off', () => {
    expect(serveListeners({ build: true }, loadConfig({ TRACEDECK_GRPC_HOST: '0.0.0.0' })).grpc).toEqual({ host: '0.0.0.0', port: 4317 });
    expect(serveListeners({ build: true, grpcPort: 5317 }, loadConfig({})).grpc).toEqual({ host: '127.0.0.1', port: 5317 });
    expect(serveListeners({ build: true, grpcHost: '::' }, loadConfig({ TRACEDECK_GRPC_HOST: '0.0.0.0' })).grpc).toEqual({ host: '::', port: 4317 });
    expect(serveListeners({ build: true }, loadConfig({ TRACEDECK_GRPC_PORT: '0' })).grpc).toBeNull();
    expect(serveListeners({ build: true }, loadConfig({ TRACEDECK_GRPC: '0' })).grpc).toBeNull();
    expect(serveListeners({ build: true, grpc: false }, loadConfig({})).grpc).toBeNull();
    expect(serveListeners({ build: true, grpcPort: 0 }, loadConfig({})).grpc).toBeNull();
    // An explicit port asks for the listener even when TRACEDECK_GRPC=0.
    expect(serveListeners({ build: true, grpcPort: 5317 }, loadConfig({ TRACEDECK_GRPC: '0' })).grpc).toEqual({ host: '127.0.0.1', port: 5317 });
  });

  it('the OTLP/HTTP listener: TRACEDECK_OTLP_HTTP_PORT / --otlp-http-port move it, 0 turns it off', () => {
    expect(serveListeners({ build: true }, loadConfig({ TRACEDECK_OTLP_HTTP_PORT: '14318' })).otlpHttp).toEqual({ host: '127.0.0.1', port: 14318 });
    expect(serveListeners({ build: true, otlpHttpPort: 24318 }, loadConfig({ TRACEDECK_OTLP_HTTP_PORT: '14318' })).otlpHttp?.port).toBe(24318);
    expect(serveListeners({ build: true }, loadConfig({ TRACEDECK_OTLP_HTTP_PORT: '0' })).otlpHttp).toBeNull();
    expect(serveListeners({ build: true, otlpHttpPort: 0 }, loadConfig({})).otlpHttp).toBeNull();
    expect(serveListeners({ build: true, otlpHttpHost: '0.0.0.0' }, loadConfig({})).otlpHttp).toEqual({ host: '0.0.0.0', port: 4318 });
  });
});

describe('listenerChildEnv', () => {
  const web = { host: '127.0.0.1', port: 3000 };

  it('hands the chosen listeners to the Next server, or turns them off there', () => {
    expect(listenerChildEnv({ web, grpc: { host: '::', port: 5317 }, otlpHttp: { host: '127.0.0.1', port: 5318 } })).toEqual({
      TRACEDECK_GRPC: '1',
      TRACEDECK_GRPC_HOST: '::',
      TRACEDECK_GRPC_PORT: '5317',
      TRACEDECK_OTLP_HTTP_HOST: '127.0.0.1',
      TRACEDECK_OTLP_HTTP_PORT: '5318',
    });
    expect(listenerChildEnv({ web, grpc: null, otlpHttp: null })).toEqual({ TRACEDECK_GRPC: '0', TRACEDECK_OTLP_HTTP_PORT: '0' });
  });

  it('what it hands over reads back as the same listeners', () => {
    for (const options of [{ grpcHost: '0.0.0.0', grpcPort: 6317, otlpHttpPort: 6318 }, { grpcPort: 0, otlpHttpPort: 0 }, {}]) {
      const listeners = serveListeners({ build: true, ...options }, loadConfig({}));
      const child = loadConfig(listenerChildEnv(listeners));
      expect(serveListeners({ build: true }, child), JSON.stringify(options)).toEqual({ ...listeners, web: { host: '127.0.0.1', port: 3000 } });
    }
  });
});

describe('describeListeners', () => {
  it('names every way in, and says when gRPC is off', () => {
    const web = { host: '127.0.0.1', port: 3000 };
    expect(describeListeners({ web, grpc: { host: '127.0.0.1', port: 4317 }, otlpHttp: { host: '127.0.0.1', port: 4318 } })).toBe(
      'serving on http://localhost:3000  (OTLP/HTTP: POST http://localhost:3000/v1/traces and http://127.0.0.1:4318/v1/traces; OTLP/gRPC: 127.0.0.1:4317)',
    );
    expect(describeListeners({ web, grpc: null, otlpHttp: null })).toBe(
      'serving on http://localhost:3000  (OTLP/HTTP: POST http://localhost:3000/v1/traces; OTLP/gRPC off)',
    );
  });
});

describe('nextEnv', () => {
  it('caps glibc malloc arenas at 2 for the Next server unless the user chose a number', () => {
    expect(nextEnv({ NODE_ENV: 'production', PATH: '/bin' })).toMatchObject({ PATH: '/bin', MALLOC_ARENA_MAX: '2', NEXT_TELEMETRY_DISABLED: '1' });
    expect(nextEnv({ NODE_ENV: 'production', MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
  });
});

/** The V8 heap limit (MB) and the young generation's largest size (MB) of a node started with `env`, after some garbage. */
function heapOf(env: NodeJS.ProcessEnv): { limit: number; youngMax: number } {
  const script = `
    const v8 = require('v8');
    let young = 0, keep = [];
    for (let i = 0; i < 2e6; i++) {
      keep.push({ i });
      if (keep.length > 1e5) keep = [];
      if (i % 5e4 === 0) young = Math.max(young, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
    }
    console.log(JSON.stringify({ limit: v8.getHeapStatistics().heap_size_limit / 1048576, youngMax: young / 1048576 }));`;
  const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as { limit: number; youngMax: number };
}

describe('nextServerEnv', () => {
  it('gives the server a 1 GB old generation and 8 MB semi-spaces, the build nothing of the kind', () => {
    expect(nextServerEnv({ NODE_ENV: 'production', PATH: '/bin' }, { TRACEDECK_GRPC: '0' })).toMatchObject({
      MALLOC_ARENA_MAX: '2',
      TRACEDECK_GRPC: '0',
      NEXT_TELEMETRY_DISABLED: '1',
    });
    const server = heapOf(nextServerEnv(process.env));
    expect(server.limit).toBeGreaterThanOrEqual(1024);
    expect(server.limit).toBeLessThan(1100);
    expect(server.youngMax).toBeLessThanOrEqual(16);
    expect(nextEnv({ NODE_ENV: 'production', NODE_OPTIONS: '--trace-warnings' }).NODE_OPTIONS).toBe('--trace-warnings');
  });

  it("keeps the user's NODE_OPTIONS, whose own heap flags win", () => {
    const env = nextServerEnv({ ...process.env, NODE_OPTIONS: '--max-old-space-size=3000 --max-semi-space-size=16 --trace-warnings' });
    expect(env.NODE_OPTIONS).toContain('--trace-warnings');
    const heap = heapOf(env);
    expect(heap.limit).toBeGreaterThanOrEqual(3000);
    expect(heap.youngMax).toBe(32);
  });
});
