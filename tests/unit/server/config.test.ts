/**
 * server/config.ts: one schema of every variable, parsed once per process, with
 * errors naming the variable; server/config-check.ts: the strict start-up check.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseFlag } from '../../../lib/flag';
import { DEFAULT_INGEST_LIMITS } from '../../../lib/otlp/limits';
import { ConfigError, loadConfig, resetConfigForTests, serverConfig } from '../../../server/config';
import { checkConfigStrict } from '../../../server/config-check';
import { databaseOptions } from '../../../server/db';

describe('loadConfig', () => {
  it('defaults: loopback listeners, PGlite in ./.tracedeck/data, the documented limits', () => {
    const config = loadConfig({});
    expect(config.web).toEqual({ port: 3000, hostname: '127.0.0.1' });
    expect(config.grpc).toEqual({ enabled: true, host: '127.0.0.1', port: 4317, pidFile: null });
    expect(config.otlpHttp).toEqual({ enabled: true, host: '127.0.0.1', port: 4318 });
    expect(config.lookForPlanoConfig).toBe(true);
    expect(config.database).toEqual({ url: null, dataDir: './.tracedeck/data', schemaName: 'public', pgliteWorker: true });
    expect(config.ingestLimits).toStrictEqual({ ...DEFAULT_INGEST_LIMITS, maxAgeMs: 30 * 86_400_000 });
    expect(config.retentionMs).toBe(30 * 86_400_000);
    expect(config.ingestGate).toEqual({ maxInFlight: 10, maxQueued: 40, maxWaitMs: 5000 });
    expect(config).toMatchObject({
      maxBodyBytes: 8 * 1024 * 1024,
      maxDecompressedBytes: 64 * 1024 * 1024,
      tenantKey: 'tenant.id',
      rollupMinTraces: undefined,
      nextDistDir: '.next',
    });
  });

  it('TRACEDECK_SESSION_KEYS: the three keys by default, a comma list in order, a bad key refused by name', () => {
    expect(loadConfig({}).sessionKeys).toEqual(['session.id', 'plano.session_id', 'gen_ai.conversation.id']);
    expect(loadConfig({ TRACEDECK_SESSION_KEYS: ' conv.id , session.id' }).sessionKeys).toEqual(['conv.id', 'session.id']);
    expect(() => loadConfig({ TRACEDECK_SESSION_KEYS: 'a b' })).toThrow(/TRACEDECK_SESSION_KEYS must be comma-separated attribute keys/);
    expect(() => loadConfig({ TRACEDECK_SESSION_KEYS: 'a,,b' })).toThrow(/TRACEDECK_SESSION_KEYS/);
  });

  it('TRACEDECK_RETENTION: whole days or off, anything else refused by name', () => {
    expect(loadConfig({ TRACEDECK_RETENTION: '7d' }).retentionMs).toBe(7 * 86_400_000);
    expect(loadConfig({ TRACEDECK_RETENTION: ' 400D ' }).ingestLimits.maxAgeMs).toBe(400 * 86_400_000);
    const off = loadConfig({ TRACEDECK_RETENTION: 'off' });
    expect([off.retentionMs, off.ingestLimits.maxAgeMs]).toEqual([null, null]);
    for (const bad of ['30', '0d', '12h', 'never', '-3d']) {
      expect(() => loadConfig({ TRACEDECK_RETENTION: bad }), bad).toThrow(/TRACEDECK_RETENTION must be a number of days such as 30d, or off/);
    }
  });

  it('TRACEDECK_GROUP_BY_TENANT: auto by default (on when the database runs Citus), or a flag', () => {
    expect(loadConfig({}).groupByTenant).toBe('auto');
    expect(loadConfig({ TRACEDECK_GROUP_BY_TENANT: ' AUTO ' }).groupByTenant).toBe('auto');
    expect(loadConfig({ TRACEDECK_GROUP_BY_TENANT: 'on' }).groupByTenant).toBe(true);
    expect(loadConfig({ TRACEDECK_GROUP_BY_TENANT: '0' }).groupByTenant).toBe(false);
    expect(() => loadConfig({ TRACEDECK_GROUP_BY_TENANT: 'citus' })).toThrow(/TRACEDECK_GROUP_BY_TENANT must be auto, or true or false/);
  });

  it('reads every kind of setting; blank means unset', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://db/x',
      TRACEDECK_DB_SCHEMA: 'td_a1',
      TRACEDECK_PGLITE_WORKER: 'off',
      PORT: '8080',
      TRACEDECK_GRPC: 'yes',
      TRACEDECK_GRPC_PORT: '0',
      TRACEDECK_GRPC_HOST: ' 0.0.0.0 ',
      TRACEDECK_MAX_INFLIGHT_INGEST: '3',
      TRACEDECK_MAX_QUEUED_INGEST: '0',
      TRACEDECK_MAX_FUTURE_SKEW_SECONDS: '60',
      TRACEDECK_TENANT_KEY: '  ',
      TRACEDECK_ROLLUP_MIN_TRACES: '1e15',
    });
    expect(config.database).toEqual({ url: 'postgres://db/x', dataDir: './.tracedeck/data', schemaName: 'td_a1', pgliteWorker: false });
    expect(config.web.port).toBe(8080);
    // Port 0 turns the listener of `serve` off (`trace listen` still binds it: the OS picks a port).
    expect(config.grpc).toMatchObject({ enabled: false, host: '0.0.0.0', port: 0 });
    expect(config.ingestGate).toEqual({ maxInFlight: 3, maxQueued: 0, maxWaitMs: 5000 });
    expect(config.ingestLimits.maxFutureSkewMs).toBe(60_000);
    expect(config.tenantKey).toBe('tenant.id');
    expect(config.rollupMinTraces).toBe(1e15);
  });

  it('OTLP listeners: TRACEDECK_OTLP_HTTP_PORT / _HOST move the HTTP one, 0 turns it off; TRACEDECK_GRPC=0 turns gRPC off', () => {
    expect(loadConfig({ TRACEDECK_OTLP_HTTP_PORT: '0' }).otlpHttp.enabled).toBe(false);
    expect(loadConfig({ TRACEDECK_OTLP_HTTP_PORT: '9418', TRACEDECK_OTLP_HTTP_HOST: '::1' }).otlpHttp).toEqual({ enabled: true, host: '::1', port: 9418 });
    expect(loadConfig({ TRACEDECK_GRPC: 'off' }).grpc.enabled).toBe(false);
    expect(() => loadConfig({ TRACEDECK_OTLP_HTTP_PORT: 'http' })).toThrow("TRACEDECK_OTLP_HTTP_PORT must be a port number (0-65535) (got 'http')");
  });

  it('TRACEDECK_INTERNAL_SPANS: Plano’s internal services by default, rules or off, a malformed one refused by name', () => {
    expect(loadConfig({}).internalSpans.services).toContain('plano(routing)');
    expect(loadConfig({ TRACEDECK_INTERNAL_SPANS: 'service=gw;name=auth *' }).internalSpans).toEqual({ services: ['gw'], names: ['auth *'] });
    expect(loadConfig({ TRACEDECK_INTERNAL_SPANS: 'off' }).internalSpans).toEqual({ services: [], names: [] });
    expect(() => loadConfig({ TRACEDECK_INTERNAL_SPANS: 'plano' })).toThrow(
      "TRACEDECK_INTERNAL_SPANS must be service=…;name=… (comma-separated globs), or off (got 'plano')",
    );
  });

  it('TRACEDECK_CONFIG: a file, or off (no file, and `serve` does not look for one)', () => {
    expect(loadConfig({ TRACEDECK_CONFIG: 'plano.yaml' })).toMatchObject({ lookForPlanoConfig: false, enrichSources: { file: 'plano.yaml' } });
    expect(loadConfig({ TRACEDECK_CONFIG: 'OFF' })).toMatchObject({ lookForPlanoConfig: false, enrichSources: { file: null } });
    expect(loadConfig({ TRACEDECK_CONFIG: ' ' })).toMatchObject({ lookForPlanoConfig: true, enrichSources: { file: null } });
  });

  it('HOST exposes the web server, HOSTNAME (Next.js’s name) is the fallback', () => {
    expect(loadConfig({ HOST: '0.0.0.0', HOSTNAME: 'box' }).web.hostname).toBe('0.0.0.0');
    expect(loadConfig({ HOSTNAME: 'box' }).web.hostname).toBe('box');
  });

  it('names the variable and the value in its error, every malformed one at once', () => {
    expect(() => loadConfig({ TRACEDECK_MAX_BODY_BYTES: 'x' })).toThrow(new ConfigError("TRACEDECK_MAX_BODY_BYTES must be a positive integer (got 'x')"));
    expect(() => loadConfig({ TRACEDECK_MAX_QUEUED_INGEST: '-1' })).toThrow("TRACEDECK_MAX_QUEUED_INGEST must be a non-negative integer (got '-1')");
    expect(() => loadConfig({ PORT: '0' })).toThrow("PORT must be a port number (1-65535) (got '0')");
    expect(() => loadConfig({ TRACEDECK_GRPC_PORT: '70000' })).toThrow("TRACEDECK_GRPC_PORT must be a port number (0-65535) (got '70000')");
    expect(() => loadConfig({ TRACEDECK_GRPC: 'maybe' })).toThrow("TRACEDECK_GRPC must be true or false (1/0, yes/no, on/off) (got 'maybe')");
    expect(() => loadConfig({ TRACEDECK_DB_SCHEMA: 'Bad-Name' })).toThrow(/^TRACEDECK_DB_SCHEMA must be a lowercase schema name/);
    expect(() => loadConfig({ TRACEDECK_MAX_ATTRIBUTE_DEPTH: '1.5', TRACEDECK_INGEST_QUEUE_TIMEOUT_MS: 'soon' })).toThrow(
      "TRACEDECK_MAX_ATTRIBUTE_DEPTH must be a positive integer (got '1.5'); TRACEDECK_INGEST_QUEUE_TIMEOUT_MS must be a positive integer (got 'soon')",
    );
  });

  it('keeps the texts other parsers own as written', () => {
    const config = loadConfig({
      TRACEDECK_HEADER_PREFIXES: '',
      TRACEDECK_SAMPLING: 'plano=20',
      TRACEDECK_READ_TOKENS: 'short',
      TRACEDECK_CONFIG: ' /etc/plano.yaml ',
    });
    expect(config.enrichSources).toEqual({ file: '/etc/plano.yaml', env: { TRACEDECK_HEADER_PREFIXES: '' }, sampling: 'plano=20' });
    expect(config.authKeys).toEqual({ TRACEDECK_READ_TOKENS: 'short' });
  });

  it('feeds db/client from the configuration', () => {
    expect(databaseOptions(loadConfig({ TRACEDECK_DATA_DIR: 'memory://', TRACEDECK_PGLITE_WORKER: '0' }))).toEqual({
      databaseUrl: null,
      dataDir: 'memory://',
      schemaName: 'public',
      pgliteWorker: false,
    });
  });
});

describe('parseFlag: the one on/off vocabulary', () => {
  it.each([
    ['1', true],
    ['TRUE', true],
    [' yes ', true],
    ['on', true],
    ['0', false],
    ['False', false],
    ['no', false],
    ['off', false],
    ['', false],
    ['2', null],
    ['enabled', null],
  ])('%j → %s', (text, value) => {
    expect(parseFlag(text)).toBe(value);
  });
});

describe('serverConfig: parsed once per process', () => {
  afterEach(() => {
    delete process.env.TRACEDECK_MAX_BODY_BYTES;
    resetConfigForTests();
  });

  it('keeps the first parse until reset', () => {
    process.env.TRACEDECK_MAX_BODY_BYTES = '1234';
    resetConfigForTests();
    const first = serverConfig();
    expect(first.maxBodyBytes).toBe(1234);
    process.env.TRACEDECK_MAX_BODY_BYTES = '999';
    expect(serverConfig()).toBe(first);
    resetConfigForTests();
    expect(serverConfig().maxBodyBytes).toBe(999);
  });

  it('a malformed setting throws on every call (nothing cached)', () => {
    process.env.TRACEDECK_MAX_BODY_BYTES = 'big';
    resetConfigForTests();
    expect(() => serverConfig()).toThrow(/TRACEDECK_MAX_BODY_BYTES/);
    expect(() => serverConfig()).toThrow(/TRACEDECK_MAX_BODY_BYTES/);
  });
});

describe('checkConfigStrict (tracedeck serve, trace listen)', () => {
  it('passes a sound environment and hands back what it parsed', () => {
    const checked = checkConfigStrict({ TRACEDECK_SAMPLING: 'plano=20', TRACEDECK_READ_TOKENS: 'read-token-00000000001' });
    expect(checked.enrich.sampling.setting).toBe('plano=20');
    expect(checked.auth.readRequired).toBe(true);
  });

  it.each([
    [{ PORT: 'http' }, "PORT must be a port number (1-65535) (got 'http')"],
    [{ TRACEDECK_ATTRIBUTE_MAP: 'colour=x' }, 'TRACEDECK_ATTRIBUTE_MAP: expected field=key'],
    [{ TRACEDECK_SAMPLING: 'plano=0' }, "TRACEDECK_SAMPLING: 'plano=0' needs a percent"],
    [{ TRACEDECK_CONFIG: '/nonexistent/plano.yaml' }, 'TRACEDECK_CONFIG: cannot read /nonexistent/plano.yaml: ENOENT'],
    [{ TRACEDECK_STATIC_ATTRIBUTES: 'novalue' }, 'TRACEDECK_STATIC_ATTRIBUTES: expected key=value'],
    [{ TRACEDECK_INGEST_KEYS: 'short' }, 'TRACEDECK_INGEST_KEYS: key #1 is shorter than 16 characters'],
  ])('%j stops it: %s', (env, message) => {
    expect(() => checkConfigStrict(env)).toThrow(ConfigError);
    expect(() => checkConfigStrict(env)).toThrow(message);
  });
});
