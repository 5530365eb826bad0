/**
 * Where `tracedeck serve` binds: 127.0.0.1 unless an option or HOST /
 * TRACEDECK_GRPC_HOST says otherwise; the options reach the Next server as variables.
 */
import { describe, expect, it } from 'vitest';
import { grpcChildEnv, serveListeners } from '../../../cli/serve';
import { loadConfig } from '../../../server/config';

describe('serveListeners', () => {
  it('binds loopback by default, without the gRPC listener', () => {
    expect(serveListeners({ build: true }, loadConfig({}))).toEqual({ web: { host: '127.0.0.1', port: 3000 }, grpc: null });
  });

  it('HOST / PORT expose the web server; --hostname and --port win over them', () => {
    const config = loadConfig({ HOST: '0.0.0.0', PORT: '8080' });
    expect(serveListeners({ build: true }, config).web).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(serveListeners({ build: true, hostname: '127.0.0.1', port: 3100 }, config).web).toEqual({ host: '127.0.0.1', port: 3100 });
  });

  it('the gRPC listener: loopback on 4317 unless configured; each --grpc option asks for it', () => {
    expect(serveListeners({ build: true, grpc: true }, loadConfig({})).grpc).toEqual({ host: '127.0.0.1', port: 4317 });
    expect(serveListeners({ build: true }, loadConfig({ TRACEDECK_GRPC: '1', TRACEDECK_GRPC_HOST: '0.0.0.0' })).grpc).toEqual({ host: '0.0.0.0', port: 4317 });
    expect(serveListeners({ build: true, grpcPort: 5317 }, loadConfig({})).grpc).toEqual({ host: '127.0.0.1', port: 5317 });
    expect(serveListeners({ build: true, grpcHost: '::' }, loadConfig({ TRACEDECK_GRPC_HOST: '0.0.0.0' })).grpc).toEqual({ host: '::', port: 4317 });
  });
});

describe('grpcChildEnv', () => {
  it('hands the chosen listener to the Next server, or nothing', () => {
    expect(grpcChildEnv({ web: { host: '127.0.0.1', port: 3000 }, grpc: { host: '::', port: 5317 } })).toEqual({
      TRACEDECK_GRPC: '1',
      TRACEDECK_GRPC_HOST: '::',
      TRACEDECK_GRPC_PORT: '5317',
    });
    expect(grpcChildEnv({ web: { host: '127.0.0.1', port: 3000 }, grpc: null })).toEqual({});
  });

  it('what it hands over reads back as the same listener', () => {
    const listeners = serveListeners({ build: true, grpcHost: '0.0.0.0', grpcPort: 0 }, loadConfig({}));
    expect(loadConfig(grpcChildEnv(listeners)).grpc).toMatchObject({ enabled: true, ...listeners.grpc });
  });
});
