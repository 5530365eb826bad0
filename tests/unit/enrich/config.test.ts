/**
 * Configuration of the span-attribute rules (lib/enrich/config.ts): Plano's
 * `tracing:` block from YAML, the environment fallbacks, defaults and errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_HEADER_PREFIXES,
  EnrichConfigError,
  applyRandomSampling,
  enrichConfig,
  loadEnrichConfigStrict,
  parseConfigYaml,
  parseStaticAttributes,
  resolveEnrichConfig,
  tracingBlockFromEnv,
} from '../../../lib/enrich/config';

const PLANO_CONFIG = `
version: v0.3.0
listeners:
  - type: model
    name: llm
    port: 12000
model_providers:
  - model: openai/gpt-4o-mini
    access_key: $OPENAI_API_KEY
tracing:
  random_sampling: 20
  opentracing_grpc_endpoint: http://localhost:4317
  span_attributes:
    header_prefixes:
      - x-katanemo-
      - X-Acme-
    static:
      environment: production
      service.version: 2.1.0
      replicas: 3
`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-enrich-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeConfig(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('Plano’s tracing block from YAML', () => {
  it('reads header_prefixes, static and random_sampling out of a whole Plano config', () => {
    expect(parseConfigYaml(PLANO_CONFIG)).toEqual({
      randomSampling: 20,
      headerPrefixes: ['x-katanemo-', 'X-Acme-'],
      static: { environment: 'production', 'service.version': '2.1.0', replicas: '3' },
    });
  });

  it('accepts a file holding just the tracing block, and Tracedeck’s override_existing', () => {
    expect(parseConfigYaml('span_attributes:\n  header_prefixes: [x-a-]\n  override_existing: true\n')).toEqual({
      headerPrefixes: ['x-a-'],
      overrideExisting: true,
    });
  });

  it('an empty file or a config without tracing says nothing', () => {
    expect(parseConfigYaml('')).toEqual({});
    expect(parseConfigYaml('tracing:\n')).toEqual({});
    expect(parseConfigYaml('tracing:\n  span_attributes:\n')).toEqual({});
  });

  it.each([
    ['tracing: [1]', "'tracing' must be a mapping"],
    ['tracing:\n  random_sampling: 150', 'random_sampling must be a percent between 0 and 100'],
    ['tracing:\n  span_attributes:\n    header_prefixes: {a: 1}', 'header_prefixes must be a list of strings'],
    ['tracing:\n  span_attributes:\n    static: [a]', 'static must be a mapping'],
    ['tracing:\n  span_attributes:\n    static:\n      a: {b: c}', 'static.a must be a string'],
    ['tracing:\n  span_attributes:\n    override_existing: maybe', 'override_existing must be true or false'],
    ['tracing: {', 'invalid YAML'],
  ])('%j → %s', (text, message) => {
    expect(() => parseConfigYaml(text, 'plano.yaml')).toThrow(EnrichConfigError);
    expect(() => parseConfigYaml(text, 'plano.yaml')).toThrow(message);
  });
});

describe('resolution: file, then environment, then defaults', () => {
  it('defaults: Plano’s x-katanemo- prefix, nothing static, span attributes win', () => {
    expect(loadEnrichConfigStrict({})).toEqual({
      spanAttributes: { headerPrefixes: [...DEFAULT_HEADER_PREFIXES], static: {}, overrideExisting: false },
      randomSampling: null,
      source: 'defaults',
    });
  });

  it('environment fallbacks', () => {
    const config = loadEnrichConfigStrict({
      TRACEDECK_HEADER_PREFIXES: 'x-katanemo-, X-Acme- ,,',
      TRACEDECK_STATIC_ATTRIBUTES: 'environment=production,team=a%2Cb',
      TRACEDECK_OVERRIDE_EXISTING: 'true',
    });
    expect(config.spanAttributes).toEqual({ headerPrefixes: ['x-katanemo-', 'x-acme-'], static: { environment: 'production', team: 'a,b' }, overrideExisting: true });
    expect(config.source).toBe('environment');
  });

  it('an explicitly empty prefix list turns header mapping off', () => {
    expect(loadEnrichConfigStrict({ TRACEDECK_HEADER_PREFIXES: '' }).spanAttributes.headerPrefixes).toEqual([]);
    expect(resolveEnrichConfig({ headerPrefixes: [] }, {}, 'f').spanAttributes.headerPrefixes).toEqual([]);
  });

  it('TRACEDECK_CONFIG is read; settings it lacks come from the environment', () => {
    const file = writeConfig('plano.yaml', PLANO_CONFIG);
    const config = loadEnrichConfigStrict({ TRACEDECK_CONFIG: file, TRACEDECK_HEADER_PREFIXES: 'x-env-', TRACEDECK_OVERRIDE_EXISTING: '1' });
    expect(config.spanAttributes.headerPrefixes).toEqual(['x-katanemo-', 'x-acme-']);
    expect(config.spanAttributes.overrideExisting).toBe(true);
    expect(config.randomSampling).toBe(20);
    expect(config.source).toBe(path.resolve(file));
  });

  it('a missing file or a bad value is an error at start-up (strict load)', () => {
    expect(() => loadEnrichConfigStrict({ TRACEDECK_CONFIG: path.join(tmp, 'nope.yaml') })).toThrow(/cannot read .*nope\.yaml: ENOENT/);
    expect(() => tracingBlockFromEnv({ TRACEDECK_OVERRIDE_EXISTING: 'perhaps' })).toThrow('TRACEDECK_OVERRIDE_EXISTING must be true or false');
    expect(() => parseStaticAttributes('novalue')).toThrow('expected key=value');
  });

  it('at ingest a bad file is logged once and ignored (the environment still applies), never thrown', () => {
    const file = writeConfig('bad.yaml', 'tracing:\n  span_attributes:\n    header_prefixes: 7\n');
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const env = { TRACEDECK_CONFIG: file, TRACEDECK_HEADER_PREFIXES: 'x-env-' };
      expect(enrichConfig(env).spanAttributes.headerPrefixes).toEqual(['x-env-']);
      enrichConfig({ ...env });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0][0])).toContain('header_prefixes must be a list of strings');
    } finally {
      spy.mockRestore();
    }
  });

  it('is re-read when the file changes', () => {
    const file = writeConfig('changing.yaml', 'tracing:\n  span_attributes:\n    static: {a: "1"}\n');
    expect(enrichConfig({ TRACEDECK_CONFIG: file }).spanAttributes.static).toEqual({ a: '1' });
    fs.writeFileSync(file, 'tracing:\n  span_attributes:\n    static: {a: "22"}\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    expect(enrichConfig({ TRACEDECK_CONFIG: file }).spanAttributes.static).toEqual({ a: '22' });
  });
});

describe('random_sampling → TRACEDECK_SAMPLING', () => {
  const config = (randomSampling: number | null) => resolveEnrichConfig(randomSampling === null ? {} : { randomSampling }, {}, 't');

  it('sets plano=<percent> when TRACEDECK_SAMPLING is unset', () => {
    const env: Record<string, string | undefined> = {};
    expect(applyRandomSampling(config(20), env)).toBe('plano=20');
    expect(env.TRACEDECK_SAMPLING).toBe('plano=20');
  });

  it('an explicit TRACEDECK_SAMPLING wins; 100% (or none) changes nothing', () => {
    const env: Record<string, string | undefined> = { TRACEDECK_SAMPLING: '*=50' };
    expect(applyRandomSampling(config(20), env)).toBeNull();
    expect(env.TRACEDECK_SAMPLING).toBe('*=50');
    expect(applyRandomSampling(config(100), {})).toBeNull();
    expect(applyRandomSampling(config(null), {})).toBeNull();
  });
});
