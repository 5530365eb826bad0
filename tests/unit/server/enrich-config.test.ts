/**
 * server/enrich-config.ts: the TRACEDECK_CONFIG file read beside the environment,
 * strict at start-up, logged-and-ignored at ingest, re-checked on a timer rather
 * than per request, and the sampling setting worked out once (no write to process.env).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EnrichConfigError } from '../../../lib/enrich/config';
import { loadConfig } from '../../../server/config';
import { RECHECK_MS, enrichSettings, loadEnrichSettingsStrict } from '../../../server/enrich-config';

const PLANO_CONFIG = `
version: v0.3.0
tracing:
  random_sampling: 20
  span_attributes:
    header_prefixes: [x-katanemo-, X-Acme-]
    static: { environment: production }
`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-enrich-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeConfig(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('start-up (strict)', () => {
  it('TRACEDECK_CONFIG is read; settings it lacks come from the environment', () => {
    const file = writeConfig('plano.yaml', PLANO_CONFIG);
    const { rules } = loadEnrichSettingsStrict(loadConfig({ TRACEDECK_CONFIG: file, TRACEDECK_HEADER_PREFIXES: 'x-env-', TRACEDECK_OVERRIDE_EXISTING: '1' }));
    expect(rules.spanAttributes.headerPrefixes).toEqual(['x-katanemo-', 'x-acme-']);
    expect(rules.spanAttributes.overrideExisting).toBe(true);
    expect(rules.randomSampling).toBe(20);
    expect(rules.source).toBe(path.resolve(file));
  });

  it('a missing file, a bad variable or a bad sampling setting is an error', () => {
    expect(() => loadEnrichSettingsStrict(loadConfig({ TRACEDECK_CONFIG: path.join(tmp, 'nope.yaml') }))).toThrow(/cannot read .*nope\.yaml: ENOENT/);
    expect(() => loadEnrichSettingsStrict(loadConfig({ TRACEDECK_OVERRIDE_EXISTING: 'perhaps' }))).toThrow(EnrichConfigError);
    expect(() => loadEnrichSettingsStrict(loadConfig({ TRACEDECK_SAMPLING: 'plano=two' }))).toThrow(/TRACEDECK_SAMPLING: 'plano=two' needs a percent/);
  });
});

describe('sampling: worked out once, handed down', () => {
  it('the file’s random_sampling becomes plano=<percent> without touching the environment', () => {
    const file = writeConfig('sampled.yaml', PLANO_CONFIG);
    const env: Record<string, string | undefined> = { TRACEDECK_CONFIG: file };
    const config = loadConfig(env);
    const { sampling } = enrichSettings(config);
    expect(sampling).toEqual({ config: { rules: [{ prefix: 'plano', percent: 20 }], global: null }, setting: 'plano=20', error: null });
    expect(env.TRACEDECK_SAMPLING).toBeUndefined();
  });

  it('an explicit TRACEDECK_SAMPLING wins over the file', () => {
    const file = writeConfig('sampled-too.yaml', PLANO_CONFIG);
    expect(enrichSettings(loadConfig({ TRACEDECK_CONFIG: file, TRACEDECK_SAMPLING: '*=50' })).sampling.setting).toBe('*=50');
  });

  it('a malformed setting is reported and ignored instead of stopping ingest', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { sampling } = enrichSettings(loadConfig({ TRACEDECK_SAMPLING: 'plano=three' }));
      expect(sampling.config).toEqual({ rules: [], global: null });
      expect(sampling.error).toMatch(/percent/);
      expect(String(spy.mock.calls[0][0])).toContain('sampling setting ignored');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('at ingest (lenient)', () => {
  it('a bad file is logged once and ignored (the environment still applies), never thrown', () => {
    const file = writeConfig('bad.yaml', 'tracing:\n  span_attributes:\n    header_prefixes: 7\n');
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const env = { TRACEDECK_CONFIG: file, TRACEDECK_HEADER_PREFIXES: 'x-env-' };
      expect(enrichSettings(loadConfig(env)).rules.spanAttributes.headerPrefixes).toEqual(['x-env-']);
      enrichSettings(loadConfig({ ...env }));
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0][0])).toContain('header_prefixes must be a list of strings');
    } finally {
      spy.mockRestore();
    }
  });

  it('is re-read when the file changes, looking at it at most once every RECHECK_MS', () => {
    const file = writeConfig('changing.yaml', 'tracing:\n  span_attributes:\n    static: {a: "1"}\n');
    const config = loadConfig({ TRACEDECK_CONFIG: file });
    const statSpy = vi.spyOn(fs, 'statSync');
    try {
      expect(enrichSettings(config, 1_000).rules.spanAttributes.static).toEqual({ a: '1' });
      fs.writeFileSync(file, 'tracing:\n  span_attributes:\n    static: {a: "22"}\n');
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(file, later, later);
      statSpy.mockClear();
      // Within the interval: the cached rules, and no stat on the request path.
      expect(enrichSettings(config, 1_000 + RECHECK_MS - 1).rules.spanAttributes.static).toEqual({ a: '1' });
      expect(statSpy).not.toHaveBeenCalled();
      expect(enrichSettings(config, 1_000 + RECHECK_MS).rules.spanAttributes.static).toEqual({ a: '22' });
      expect(statSpy).toHaveBeenCalledTimes(1);
    } finally {
      statSpy.mockRestore();
    }
  });

  it('without a file nothing is ever re-read', () => {
    const config = loadConfig({ TRACEDECK_STATIC_ATTRIBUTES: 'a=1' });
    const first = enrichSettings(config, 0);
    expect(enrichSettings(config, 10 * RECHECK_MS)).toBe(first);
    expect(first.rules.spanAttributes.static).toEqual({ a: '1' });
  });
});
