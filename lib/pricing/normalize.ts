/**
 * Model names as gateways write them → the names a price catalog knows.
 *
 * Plano and its providers write the same model many ways: `openai/gpt-4o-mini`
 * (provider prefix), `do/openai-gpt-4o` (DigitalOcean's `<vendor>-<model>` ids behind
 * a `do/` prefix), `openai:gpt-4o`, Bedrock's `us.anthropic.claude-3-5-sonnet-20240620-v1:0`,
 * Vertex's `claude-3-5-sonnet@20240620`, dated snapshots (`gpt-4o-2024-08-06`,
 * `claude-3-5-sonnet-20240620`). `modelCandidates` lists the names to try, most
 * specific first, each with the provider the name implies (if any), so a lookup tries
 * the exact name before a stripped one and never prices a name it did not derive.
 */

export type ModelCandidate = { model: string; provider: string | null };

/** Vendors that prefix model ids (`openai-gpt-4o`, `anthropic.claude-…`, `meta-llama-…`). */
const VENDORS = [
  'openai',
  'anthropic',
  'google',
  'meta',
  'mistral',
  'mistralai',
  'deepseek',
  'cohere',
  'xai',
  'qwen',
  'alibaba',
  'amazon',
  'groq',
  'moonshotai',
  'nvidia',
];

/** Provider names that mean another one in the catalog. */
const PROVIDER_ALIASES: Record<string, string> = {
  mistralai: 'mistral',
  'meta-llama': 'meta',
  gemini: 'google',
  vertex_ai: 'google',
  azure_openai: 'azure',
  xai: 'x-ai',
  bedrock: 'aws',
};

/** Bedrock's cross-region prefixes (`us.`, `eu.`, `apac.`, `global.`). */
const REGION_PREFIX = /^(?:us|eu|apac|global)\./;
/** Bedrock's version suffix (`-v1:0`, `-v2`). */
const BEDROCK_VERSION = /-v\d+(?::\d+)?$/;
/** Dated snapshots: `-2024-08-06`, `-20240620`, `@20240620`, `-0613` (two to four digits after the last dash). */
const DATE_SUFFIX = /(?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}))$/;

function provider(name: string): string {
  const p = name.toLowerCase();
  return PROVIDER_ALIASES[p] ?? p;
}

/** `vendor-rest` or `vendor.rest` with a known vendor → [vendor, rest]. */
function splitVendor(model: string): [string, string] | null {
  for (const v of VENDORS) {
    for (const sep of ['-', '.']) {
      if (model.startsWith(v + sep) && model.length > v.length + 1) return [provider(v), model.slice(v.length + 1)];
    }
  }
  return null;
}

/** The names to look a model up by, most specific first, without repeats. Empty for a blank name. */
export function modelCandidates(raw: string): ModelCandidate[] {
  const out: ModelCandidate[] = [];
  const seen = new Set<string>();
  const add = (model: string, prov: string | null) => {
    const m = model.trim();
    const key = `${prov ?? ''}\u0000${m}`;
    if (!m || seen.has(key)) return;
    seen.add(key);
    out.push({ model: m, provider: prov });
  };
  const addWithVariants = (model: string, prov: string | null) => {
    add(model, prov);
    const unversioned = model.replace(BEDROCK_VERSION, '');
    if (unversioned !== model) add(unversioned, prov);
    const atDate = unversioned.replace('@', '-');
    if (atDate !== unversioned) add(atDate, prov);
    const undated = atDate.replace(DATE_SUFFIX, '');
    if (undated !== atDate && undated.length > 0) add(undated, prov);
  };

  const name = raw.trim();
  if (!name) return out;
  add(name, null);
  let rest = name.toLowerCase();
  let prov: string | null = null;
  // `provider:model` (genai-prices' and LiteLLM's form); not Bedrock's `…-v1:0`.
  const colon = /^([a-z][a-z0-9_-]*):(.+)$/.exec(rest);
  if (colon && !BEDROCK_VERSION.test(rest)) [prov, rest] = [provider(colon[1]), colon[2]];
  // `provider/model`, possibly nested (`do/openai-gpt-4o`, `accounts/fireworks/models/x`): the last segment is the model.
  if (rest.includes('/')) {
    const parts = rest.split('/');
    rest = parts[parts.length - 1];
    prov = provider(parts[parts.length - 2] === 'models' ? parts[0] : parts[parts.length - 2]);
  }
  rest = rest.replace(REGION_PREFIX, '');
  addWithVariants(rest, prov);
  const vendor = splitVendor(rest);
  if (vendor) addWithVariants(vendor[1], vendor[0]);
  // The bare name without a provider, last: a gateway's own prefix (`do`, `my-proxy`) is not a catalog provider.
  if (prov !== null) addWithVariants(vendor ? vendor[1] : rest, null);
  return out;
}
