/**
 * `tracedeck serve` with TRACEDECK_CONFIG unset: finds Plano's config the way planoai
 * does (lib/enrich/plano-config.ts has the order and the checks), reads the candidates,
 * and hands the choice on as TRACEDECK_CONFIG, so the strict start-up check and the Next
 * server (which reads it per request, reloading edits) see one explicit file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type PlanoConfigFile, choosePlanoConfig, planoConfigCandidates } from '../lib/enrich/plano-config';
import type { Env, ServerConfig } from './config';

export type PlanoConfigLookup = {
  /** What to add to the environment: TRACEDECK_CONFIG when a file was found. */
  env: Env;
  /** The start-up line naming the file used (or why none is). */
  line: string;
  /** Candidates found but passed over, one line each. */
  warnings: string[];
};

function readCandidate(file: string): PlanoConfigFile | { path: string; unreadable: string } {
  try {
    return { path: file, text: fs.readFileSync(/* turbopackIgnore: true */ file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { path: file, missing: true } : { path: file, unreadable: code ?? String(err) };
  }
}

/** The Plano config `tracedeck serve` uses, looked up in `cwd` and `home` unless TRACEDECK_CONFIG decides. */
export function lookUpPlanoConfig(config: ServerConfig, where: { cwd: string; home: string }): PlanoConfigLookup {
  if (!config.lookForPlanoConfig) {
    const file = config.enrichSources.file;
    return { env: {}, line: file ? `Plano config: ${path.resolve(file)} (TRACEDECK_CONFIG)` : 'Plano config: none (TRACEDECK_CONFIG=off)', warnings: [] };
  }
  const candidates = planoConfigCandidates(where.cwd, where.home, path.join);
  const read = candidates.map(readCandidate);
  const choice = choosePlanoConfig(read.filter((c): c is PlanoConfigFile => !('unreadable' in c)));
  const unreadable = read.flatMap((c) => ('unreadable' in c ? [{ path: c.path, reason: `cannot read it (${c.unreadable})` }] : []));
  const warnings = [...unreadable, ...choice.skipped].map((s) => `Plano config candidate ${s.path} skipped: ${s.reason}`);
  if (!choice.file) {
    return { env: {}, line: `Plano config: none found (looked for ${candidates.join(', ')}); TRACEDECK_CONFIG=<file> names one`, warnings };
  }
  return {
    env: { TRACEDECK_CONFIG: choice.file },
    line: `Plano config: ${choice.file} (found the way planoai finds it; TRACEDECK_CONFIG=<file> picks another, TRACEDECK_CONFIG=off none)`,
    warnings,
  };
}
