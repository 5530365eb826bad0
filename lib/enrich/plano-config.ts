/**
 * Finding Plano's config the way `planoai up` does when no file is named
 * (katanemo/plano cli/planoai: `find_config_file`, then the zero-config default):
 * `./config.yaml`, then `./plano_config.yaml`, then `~/.plano/default_config.yaml`.
 *
 * Pure: the caller (cli/serve.ts through server/plano-config.ts) reads the files.
 * Unlike planoai, a candidate that is not a Plano config (another tool's
 * `config.yaml`) or whose `tracing:` block is malformed is skipped with a reason,
 * so a stray file never stops Tracedeck; TRACEDECK_CONFIG names a file explicitly.
 */
import { parse as parseYaml } from 'yaml';
import { EnrichConfigError, tracingBlockFromDocument } from './config';

/** The candidates in planoai's order, as paths joined by `join`. */
export function planoConfigCandidates(cwd: string, home: string, join: (...parts: string[]) => string): string[] {
  return [join(cwd, 'config.yaml'), join(cwd, 'plano_config.yaml'), join(home, '.plano', 'default_config.yaml')];
}

/** Top-level keys of Plano's config schema; a file with none of them is someone else's. */
const PLANO_KEYS = ['version', 'listeners', 'model_providers', 'llm_providers', 'tracing', 'prompt_targets', 'agents', 'endpoints'];

/** Why `text` (the file at `where`) cannot serve as Plano's config, or null when it can. */
export function planoConfigProblem(text: string, where: string): string | null {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return `invalid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'not a Plano config (expected a mapping at the top level)';
  if (!PLANO_KEYS.some((key) => key in doc)) return `not a Plano config (none of ${PLANO_KEYS.join(', ')} at the top level)`;
  try {
    tracingBlockFromDocument(doc, where);
  } catch (err) {
    if (err instanceof EnrichConfigError) return err.message;
    throw err;
  }
  return null;
}

export type PlanoConfigFile = { path: string; text: string } | { path: string; missing: true };

export type PlanoConfigChoice = {
  /** The file to use, or null. */
  file: string | null;
  /** Candidates passed over, with the reason (missing files are not listed). */
  skipped: { path: string; reason: string }[];
};

/** The first usable candidate, in order. */
export function choosePlanoConfig(candidates: PlanoConfigFile[]): PlanoConfigChoice {
  const skipped: PlanoConfigChoice['skipped'] = [];
  for (const candidate of candidates) {
    if ('missing' in candidate) continue;
    const problem = planoConfigProblem(candidate.text, candidate.path);
    if (problem === null) return { file: candidate.path, skipped };
    skipped.push({ path: candidate.path, reason: problem });
  }
  return { file: null, skipped };
}
