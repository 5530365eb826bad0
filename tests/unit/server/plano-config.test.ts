/**
 * Finding Plano's config with TRACEDECK_CONFIG unset, the way planoai does:
 * ./config.yaml, then ./plano_config.yaml, then ~/.plano/default_config.yaml.
 * Real files in temporary folders.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { choosePlanoConfig, planoConfigProblem } from '../../../lib/enrich/plano-config';
import { loadConfig } from '../../../server/config';
import { lookUpPlanoConfig } from '../../../server/plano-config';

const PLANO = 'version: v0.4.0\nlisteners:\n  - name: llm\n    type: model\n    port: 12000\ntracing:\n  random_sampling: 100\n';

describe('lookUpPlanoConfig', () => {
  let cwd: string;
  let home: string;
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-plano-cwd-'));
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-plano-home-'));
    fs.mkdirSync(path.join(home, '.plano'));
  });
  afterEach(() => {
    fs.rmSync(cwd, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });
  const write = (file: string, text = PLANO) => fs.writeFileSync(file, text);
  const lookUp = (env: Record<string, string> = {}) => lookUpPlanoConfig(loadConfig(env), { cwd, home });

  it('takes ./config.yaml first, then ./plano_config.yaml, then ~/.plano/default_config.yaml', () => {
    const [config, planoConfig, defaults] = [
      path.join(cwd, 'config.yaml'),
      path.join(cwd, 'plano_config.yaml'),
      path.join(home, '.plano', 'default_config.yaml'),
    ];
    write(defaults);
    expect(lookUp().env).toEqual({ TRACEDECK_CONFIG: defaults });
    write(planoConfig);
    expect(lookUp().env).toEqual({ TRACEDECK_CONFIG: planoConfig });
    write(config);
    const found = lookUp();
    expect(found.env).toEqual({ TRACEDECK_CONFIG: config });
    expect(found.line).toBe(`Plano config: ${config} (found the way planoai finds it; TRACEDECK_CONFIG=<file> picks another, TRACEDECK_CONFIG=off none)`);
    expect(found.warnings).toEqual([]);
  });

  it('says where it looked when there is none', () => {
    const none = lookUp();
    expect(none.env).toEqual({});
    expect(none.line).toBe(
      `Plano config: none found (looked for ${path.join(cwd, 'config.yaml')}, ${path.join(cwd, 'plano_config.yaml')}, ${path.join(home, '.plano', 'default_config.yaml')}); TRACEDECK_CONFIG=<file> names one`,
    );
  });

  it('passes over another tool’s config.yaml and a malformed tracing block, saying why, and takes the next', () => {
    write(path.join(cwd, 'config.yaml'), 'database:\n  host: localhost\n');
    write(path.join(cwd, 'plano_config.yaml'), 'version: v0.4.0\ntracing:\n  random_sampling: lots\n');
    write(path.join(home, '.plano', 'default_config.yaml'));
    const found = lookUp();
    expect(found.env).toEqual({ TRACEDECK_CONFIG: path.join(home, '.plano', 'default_config.yaml') });
    expect(found.warnings).toEqual([
      `Plano config candidate ${path.join(cwd, 'config.yaml')} skipped: not a Plano config (none of version, listeners, model_providers, llm_providers, tracing, prompt_targets, agents, endpoints at the top level)`,
      `Plano config candidate ${path.join(cwd, 'plano_config.yaml')} skipped: ${path.join(cwd, 'plano_config.yaml')}: tracing.random_sampling must be a percent between 0 and 100 (got "lots")`,
    ]);
  });

  it('TRACEDECK_CONFIG decides when set: a file (no lookup) or off', () => {
    write(path.join(cwd, 'config.yaml'));
    expect(lookUp({ TRACEDECK_CONFIG: '/etc/plano.yaml' })).toEqual({ env: {}, line: 'Plano config: /etc/plano.yaml (TRACEDECK_CONFIG)', warnings: [] });
    expect(lookUp({ TRACEDECK_CONFIG: 'off' })).toEqual({ env: {}, line: 'Plano config: none (TRACEDECK_CONFIG=off)', warnings: [] });
  });
});

describe('planoConfigProblem / choosePlanoConfig', () => {
  it('accepts Plano’s zero-config default and its configs with or without a tracing block', () => {
    expect(planoConfigProblem(PLANO, 'a')).toBeNull();
    expect(planoConfigProblem('version: v0.3.0\nmodel_providers:\n  - model: openai/gpt-4o\n', 'a')).toBeNull();
  });

  it('names what is wrong otherwise', () => {
    expect(planoConfigProblem('version: [', 'a')).toMatch(/^invalid YAML: /);
    expect(planoConfigProblem('- a\n- b\n', 'a')).toBe('not a Plano config (expected a mapping at the top level)');
    expect(planoConfigProblem('version: v1\ntracing: 3\n', 'f.yaml')).toBe("f.yaml: 'tracing' must be a mapping");
  });

  it('skips missing files silently and stops at the first usable one', () => {
    const choice = choosePlanoConfig([
      { path: 'a', missing: true },
      { path: 'b', text: 'x: 1' },
      { path: 'c', text: PLANO },
      { path: 'd', text: PLANO },
    ]);
    expect(choice.file).toBe('c');
    expect(choice.skipped.map((s) => s.path)).toEqual(['b']);
  });
});
