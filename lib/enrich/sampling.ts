/**
 * Sampling weights ("adjusted counts"): how many requests one stored trace stands for.
 *
 * Two sources, the span's own word first:
 * 1. OpenTelemetry probability sampling writes its rejection threshold into the
 *    W3C `tracestate` as `ot=th:<hex>` (1–14 hex digits, trailing zeros dropped).
 *    With T the threshold padded to 14 digits (56 bits), a span was kept with
 *    probability (2^56 − T) / 2^56, so it stands for 2^56 / (2^56 − T) spans.
 *    `th:0` keeps everything (weight 1), `th:8` half (2), `th:c` a quarter (4).
 * 2. Configuration: `TRACEDECK_SAMPLING` gives the percent of requests a service
 *    keeps, e.g. `plano=20` (Plano's `tracing.random_sampling: 20`), or
 *    `plano(inbound)=20,*=100` (per service-name prefix, `*` for all others; the
 *    longest matching prefix wins). A bare `20` means every service.
 *    Plano's own config file works too: its `tracing.random_sampling` becomes
 *    `plano=<percent>` when TRACEDECK_SAMPLING is not set (samplingSettingFor in
 *    lib/enrich/config.ts). server/enrich-config.ts works out the setting once and
 *    passes the parsed config down; nothing here reads the environment.
 *
 * Weights are computed at ingest and stored with the spans and the trace summary,
 * so changing the setting affects spans received afterwards.
 */

const TWO_56 = 2n ** 56n;

/** The `th` value of the `ot` entry of a W3C tracestate, or null when absent or malformed. */
export function traceStateThreshold(traceState: string | null | undefined): string | null {
  if (!traceState) return null;
  for (const member of traceState.split(',')) {
    const eq = member.indexOf('=');
    if (eq < 0 || member.slice(0, eq).trim() !== 'ot') continue;
    for (const field of member
      .slice(eq + 1)
      .trim()
      .split(';')) {
      const colon = field.indexOf(':');
      if (colon < 0 || field.slice(0, colon) !== 'th') continue;
      const th = field.slice(colon + 1);
      return /^[0-9a-fA-F]{1,14}$/.test(th) ? th.toLowerCase() : null;
    }
    return null;
  }
  return null;
}

/** Adjusted count of a `th` threshold value: 2^56 / (2^56 − T), T = th padded right to 14 hex digits. */
export function thresholdWeight(th: string): number | null {
  if (!/^[0-9a-fA-F]{1,14}$/.test(th)) return null;
  const t = BigInt(`0x${th.padEnd(14, '0')}`);
  return Number(TWO_56) / Number(TWO_56 - t);
}

/** Adjusted count from a tracestate header, or null when it carries no valid `ot=th:`. */
export function traceStateWeight(traceState: string | null | undefined): number | null {
  const th = traceStateThreshold(traceState);
  return th === null ? null : thresholdWeight(th);
}

export type SamplingRule = { prefix: string; percent: number };
export type SamplingConfig = { rules: SamplingRule[]; global: number | null };
export type SamplingParse = { ok: true; config: SamplingConfig } | { ok: false; error: string };

/** No sampling configured: only tracestate thresholds give weights. */
export const NO_SAMPLING: SamplingConfig = { rules: [], global: null };

function parsePercent(text: string): number | null {
  const t = text.trim().replace(/%$/, '');
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(t)) return null;
  const n = Number(t);
  return n > 0 && n <= 100 ? n : null;
}

/**
 * Parses `plano=20`, `plano(inbound)=20,*=100`, `20` (all services).
 * Entries are separated by commas (or semicolons); the percent is in (0, 100].
 */
export function parseSamplingConfig(text: string | null | undefined): SamplingParse {
  const rules: SamplingRule[] = [];
  let global: number | null = null;
  for (const raw of (text ?? '').split(/[,;]/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.lastIndexOf('=');
    const prefix = eq < 0 ? '*' : entry.slice(0, eq).trim();
    const percent = parsePercent(eq < 0 ? entry : entry.slice(eq + 1));
    if (percent === null) return { ok: false, error: `TRACEDECK_SAMPLING: '${entry}' needs a percent in (0, 100], e.g. plano=20` };
    if (prefix === '') return { ok: false, error: `TRACEDECK_SAMPLING: '${entry}' names no service (use * for all)` };
    if (prefix === '*') global = percent;
    else rules.push({ prefix, percent });
  }
  // Longest prefix first, so `plano(inbound)=20` beats `plano=50`.
  rules.sort((a, b) => b.prefix.length - a.prefix.length);
  return { ok: true, config: { rules, global } };
}

/** Percent of requests kept for a service under a config, or null when the config says nothing about it. */
export function sampledPercent(config: SamplingConfig, service: string): number | null {
  for (const rule of config.rules) if (service.startsWith(rule.prefix)) return rule.percent;
  return config.global;
}

/** Adjusted count (100 / percent) for a service under a config, or null. */
export function configWeight(config: SamplingConfig, service: string): number | null {
  const percent = sampledPercent(config, service);
  return percent === null ? null : 100 / percent;
}

/**
 * The weight of one span: its tracestate threshold when it has one, else the
 * configured percent for its service, else null (no information: counts as 1).
 */
export function spanSampleWeight(span: { traceState: string | null; service: string }, config: SamplingConfig): number | null {
  return traceStateWeight(span.traceState) ?? configWeight(config, span.service);
}
