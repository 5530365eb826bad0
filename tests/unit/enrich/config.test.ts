/**
 * Configuration of the span-attribute rules (lib/enrich/config.ts): Plano's
 * `tracing:` block from YAML, the environment fallbacks, defaults and errors.
 * Reading the file and the policy at ingest: tests/unit/server/enrich-config.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HEADER_PREFIXES,
  EnrichConfigError,
  enrichConfigFrom,
  parseConfigYaml,
  parseStaticAttributes,
  resolveEnrichConfig,
  samplingSettingFor,
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
    expect(enrichConfigFrom(null, {})).toEqual({
      spanAttributes: { headerPrefixes: [...DEFAULT_HEADER_PREFIXES], static: {}, overrideExisting: false },
      randomSampling: null,
      source: 'defaults',
    });
  });

  it('environment fallbacks', () => {
    const config = enrichConfigFrom(null, {
      TRACEDECK_HEADER_PREFIXES: 'x-katanemo-, X-Acme- ,,',
      TRACEDECK_STATIC_ATTRIBUTES: 'environment=production,team=a%2Cb',
      TRACEDECK_OVERRIDE_EXISTING: 'true',
    });
    expect(config.spanAttributes).toEqual({
      headerPrefixes: ['x-katanemo-', 'x-acme-'],
      static: { environment: 'production', team: 'a,b' },
      overrideExisting: true,
    });
    expect(config.source).toBe('environment');
  });

  it('an explicitly empty prefix list turns header mapping off', () => {
    expect(enrichConfigFrom(null, { TRACEDECK_HEADER_PREFIXES: '' }).spanAttributes.headerPrefixes).toEqual([]);
    expect(resolveEnrichConfig({ headerPrefixes: [] }, {}, 'f').spanAttributes.headerPrefixes).toEqual([]);
  });

  it('the file’s text is read first; settings it lacks come from the environment', () => {
    const config = enrichConfigFrom({ path: '/etc/plano.yaml', text: PLANO_CONFIG }, { TRACEDECK_HEADER_PREFIXES: 'x-env-', TRACEDECK_OVERRIDE_EXISTING: '1' });
    expect(config.spanAttributes.headerPrefixes).toEqual(['x-katanemo-', 'x-acme-']);
    expect(config.spanAttributes.overrideExisting).toBe(true);
    expect(config.randomSampling).toBe(20);
    expect(config.source).toBe('/etc/plano.yaml');
  });

  it('a bad value is an error (the server decides whether to stop or ignore it)', () => {
    expect(() => enrichConfigFrom({ path: 'p.yaml', text: 'tracing: [1]' }, {})).toThrow(EnrichConfigError);
    expect(() => tracingBlockFromEnv({ TRACEDECK_OVERRIDE_EXISTING: 'perhaps' })).toThrow('TRACEDECK_OVERRIDE_EXISTING must be true or false');
    expect(() => parseStaticAttributes('novalue')).toThrow('expected key=value');
  });
});

describe('random_sampling → the sampling setting', () => {
  const config = (randomSampling: number | null) => resolveEnrichConfig(randomSampling === null ? {} : { randomSampling }, {}, 't');

  it('is plano=<percent> when TRACEDECK_SAMPLING is unset', () => {
    expect(samplingSettingFor(config(20), undefined)).toBe('plano=20');
    expect(samplingSettingFor(config(20), '  ')).toBe('plano=20');
  });

  it('an explicit TRACEDECK_SAMPLING wins; 100% (or none) says nothing', () => {
    expect(samplingSettingFor(config(20), '*=50')).toBe('*=50');
    expect(samplingSettingFor(config(100), undefined)).toBe('');
    expect(samplingSettingFor(config(null), undefined)).toBe('');
  });
});
