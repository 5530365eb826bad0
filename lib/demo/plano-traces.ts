/**
 * Demo traces shaped like Plano's: one request through plano(inbound) →
 * plano(routing) → plano(llm) → plano(outbound), tagged with the header
 * attributes (tenant.id, user.id, session.id) and static ones (environment,
 * service.version), LLM usage and cost, some 4xx/5xx and errors.
 * Output is OTLP/JSON (ExportTraceServiceRequest), the wire format of the HTTP route.
 */
import { demoMessageAttributes } from './messages';
import { Random } from './random';

type JsonAnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
type JsonKeyValue = { key: string; value: JsonAnyValue };
type JsonSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: JsonKeyValue[];
  events?: { timeUnixNano: string; name: string; attributes: JsonKeyValue[] }[];
  status?: { code: number; message?: string };
};
export type OtlpJsonRequest = {
  resourceSpans: { resource: { attributes: JsonKeyValue[] }; scopeSpans: { scope: { name: string; version: string }; spans: JsonSpan[] }[] }[];
};

const TENANTS = [
  ['acme-corp', 40],
  ['globex', 20],
  ['initech', 12],
  ['umbrella', 10],
  ['hooli', 8],
  ['stark-industries', 6],
  ['wayne-enterprises', 4],
] as const;

const MODELS = [
  ['gpt-4o-mini', 'openai', 0.15, 0.6, 35],
  ['gpt-4o', 'openai', 2.5, 10, 20],
  ['claude-3-5-sonnet', 'anthropic', 3, 15, 18],
  ['claude-3-5-haiku', 'anthropic', 0.8, 4, 10],
  ['llama-3.1-70b', 'groq', 0.59, 0.79, 9],
  ['mistral-large', 'mistral', 2, 6, 8],
] as const;

const ROUTES = ['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions', '/v1/responses'];

const str = (key: string, value: string): JsonKeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): JsonKeyValue => ({ key, value: { intValue: String(Math.round(value)) } });
const dbl = (key: string, value: number): JsonKeyValue => ({ key, value: { doubleValue: value } });

const msToNs = (ms: number) => BigInt(Math.round(ms * 1e6));

/**
 * `costGaps` (default on): the cost engine's cases — about a third of the LLM spans carry
 * tokens but no reported cost (priced by Tracedeck from the catalog), and the smallest
 * tenant calls a self-hosted `my-finetune` that no catalog prices (counted as unpriced).
 * Decided from values already drawn, so the rest of the traffic is the same either way.
 */
export type DemoOptions = {
  traces: number;
  seed: number;
  endMs: number;
  hours: number;
  costGaps?: boolean;
  gatewayDetails?: boolean;
  /** Plano's `plano.session_id` on the root (inbound) span, as the gateway sets it (default on; no random draw). */
  planoSessionIds?: boolean;
};

/**
 * `gatewayDetails` (default on): what the live view shows — Plano's matched route
 * (`plano.route.name`) and routing strategy, the requested model, fallbacks
 * (`routing.is_fallback`), prompt-cache hits (`llm.usage.cached_input_tokens`,
 * `plano.cache.warm`), Anthropic cache writes (`llm.usage.cache_creation_tokens`),
 * extended-thinking tokens on claude-3-5-sonnet's code route (`llm.usage.reasoning_tokens`)
 * and `llm.is_streaming`. Derived from values already drawn, like
 * `costGaps`, so the rest of the traffic is the same either way.
 */
const ROUTE_NAMES = ['code', 'summarization', 'general'] as const;

/** The model no price catalog knows (the demo's "unknown model"). */
export const UNPRICED_DEMO_MODEL = 'my-finetune';

/** Generates `traces` Plano-like traces ending before `endMs`, grouped into one OTLP request per trace. */
export function* planoDemoRequests({
  traces,
  seed,
  endMs,
  hours,
  costGaps = true,
  gatewayDetails = true,
  planoSessionIds = true,
}: DemoOptions): Generator<OtlpJsonRequest> {
  const rnd = new Random(seed);
  const startMs = endMs - hours * 3600_000;
  for (let i = 0; i < traces; i++) {
    const tenant = rnd.weighted(TENANTS);
    const userNo = rnd.int(1, 12);
    const user = `usr_${tenant.slice(0, 3)}${userNo}`;
    const session = `sess_${user}_${rnd.int(1, 4)}`;
    const [model, provider, inPrice, outPrice] = rnd.weighted(MODELS.map((m) => [m, m[4]] as const));
    const at = startMs + rnd.next() * (endMs - startMs - 120_000);
    const unpriced = costGaps && tenant === 'wayne-enterprises';
    yield planoRequest(rnd, {
      tenant,
      user,
      session,
      model: unpriced ? UNPRICED_DEMO_MODEL : model,
      provider: unpriced ? 'self-hosted' : provider,
      inPrice,
      outPrice,
      atMs: at,
      costGaps,
      gatewayDetails,
      planoSessionIds,
    });
  }
}

type RequestShape = {
  tenant: string;
  user: string;
  session: string;
  model: string;
  provider: string;
  inPrice: number;
  outPrice: number;
  atMs: number;
  costGaps: boolean;
  gatewayDetails: boolean;
  planoSessionIds: boolean;
};

/** Route, strategy, fallback and cache of one request (see DemoOptions.gatewayDetails), from its token counts and outcome. */
function gatewayDetailsOf(model: string, promptTokens: number, completionTokens: number, ok: boolean) {
  const route = promptTokens % 4 === 0 ? null : ROUTE_NAMES[(promptTokens >> 2) % ROUTE_NAMES.length];
  const cached = ok && promptTokens % 10 < 3 ? Math.floor(promptTokens * 0.6) : 0;
  // Anthropic-style prompt-cache writes (inside the input) and extended-thinking tokens (inside the output).
  const claude = model.startsWith('claude');
  const cacheWrite = ok && claude && promptTokens % 10 === 3 ? Math.floor(promptTokens * 0.5) : 0;
  const reasoning = ok && model === 'claude-3-5-sonnet' && route === 'code' ? Math.floor(completionTokens * 0.3) : 0;
  return {
    llm: [
      ...(route ? [str('plano.route.name', route)] : []),
      str('model.requested', route ? 'router:auto' : model),
      { key: 'llm.is_streaming', value: { boolValue: ok } },
      ...(cached > 0 ? [int('llm.usage.cached_input_tokens', cached), { key: 'plano.cache.warm', value: { boolValue: true } }] : []),
      ...(cacheWrite > 0 ? [int('llm.usage.cache_creation_tokens', cacheWrite)] : []),
      ...(reasoning > 0 ? [int('llm.usage.reasoning_tokens', reasoning)] : []),
    ],
    routing: [
      str('routing.strategy', route ? 'llm_router' : 'model_alias'),
      { key: 'routing.is_fallback', value: { boolValue: ok && completionTokens % 13 === 0 } },
      ...(route ? [str('routing.selection_reason', `matched route ${route}`)] : []),
    ],
  };
}

function planoRequest(rnd: Random, r: RequestShape): OtlpJsonRequest {
  const traceId = rnd.hex(16);
  const ids = { inbound: rnd.hex(8), routing: rnd.hex(8), llm: rnd.hex(8), outbound: rnd.hex(8) };
  const outcome = rnd.weighted([
    ['ok', 90],
    ['rate_limited', 5],
    ['upstream_error', 3],
    ['timeout', 2],
  ] as const);
  const route = rnd.pick(ROUTES);
  const promptTokens = rnd.int(40, 3000);
  const completionTokens = outcome === 'ok' ? rnd.int(10, 900) : 0;
  const cost = (promptTokens * r.inPrice + completionTokens * r.outPrice) / 1e6;
  // The gateway did not price it: Tracedeck computes the cost (or, for the unknown model, cannot).
  // llama-3.1-70b (Groq's old name) is in no catalog either: its gateway always reports the cost.
  const reportsCost = !r.costGaps || r.model === 'llama-3.1-70b' || (r.model !== UNPRICED_DEMO_MODEL && promptTokens % 3 !== 0);
  const routingMs = rnd.latencyMs(3, 0.4);
  const ttftMs = rnd.latencyMs(r.model.includes('mini') || r.model.includes('haiku') ? 250 : 600);
  const llmMs = outcome === 'timeout' ? 30_000 : outcome === 'rate_limited' ? rnd.latencyMs(40) : ttftMs + completionTokens * rnd.latencyMs(12, 0.3);
  const status = outcome === 'ok' ? 200 : outcome === 'rate_limited' ? 429 : outcome === 'timeout' ? 504 : 502;
  const errorMessage =
    outcome === 'rate_limited'
      ? 'rate limit exceeded for tenant'
      : outcome === 'timeout'
        ? 'upstream request timed out after 30s'
        : outcome === 'upstream_error'
          ? `${r.provider} returned 500: internal server error`
          : null;

  const t0 = r.atMs;
  const routeStart = t0 + 0.4;
  const llmStart = routeStart + routingMs + 0.2;
  const outboundStart = llmStart + 0.3;
  const llmEnd = llmStart + llmMs;
  const end = llmEnd + 0.8;

  // Header-derived (x-katanemo-*) and static attributes go on every span, as Plano does.
  const common = [
    str('tenant.id', r.tenant),
    str('user.id', r.user),
    str('session.id', r.session),
    str('environment', 'production'),
    str('service.version', '2.1.0'),
  ];
  const isError = status >= 500;
  const span = (id: string, parent: string | undefined, name: string, kind: number, s: number, e: number, attrs: JsonKeyValue[], error = false): JsonSpan => ({
    traceId,
    spanId: id,
    ...(parent ? { parentSpanId: parent } : {}),
    name,
    kind,
    startTimeUnixNano: msToNs(s).toString(),
    endTimeUnixNano: msToNs(e).toString(),
    attributes: [...common, ...attrs],
    ...(error && errorMessage ? { status: { code: 2, message: errorMessage } } : {}),
  });

  const details = r.gatewayDetails ? gatewayDetailsOf(r.model, promptTokens, completionTokens, outcome === 'ok') : null;
  const llmAttrs = [
    ...(details?.llm ?? []),
    str('llm.model', r.model),
    str('llm.provider', r.provider),
    int('llm.usage.prompt_tokens', promptTokens),
    int('llm.usage.completion_tokens', completionTokens),
    int('llm.usage.total_tokens', promptTokens + completionTokens),
    ...(reportsCost ? [dbl('llm.usage.total_cost_usd', Number(cost.toFixed(6)))] : []),
    ...(outcome === 'ok' ? [dbl('llm.time_to_first_token', Number(ttftMs.toFixed(1)))] : []),
    str('http.status_code', String(status)),
    ...(errorMessage ? [str('error.message', errorMessage)] : []),
    ...demoMessageAttributes(traceId, outcome === 'ok'),
  ];

  const bySvc = (service: string, s: JsonSpan) => ({
    resource: { attributes: [str('service.name', service), str('deployment.environment', 'production')] },
    scopeSpans: [{ scope: { name: 'plano', version: '2.1.0' }, spans: [s] }],
  });

  return {
    resourceSpans: [
      bySvc(
        'plano(inbound)',
        span(
          ids.inbound,
          undefined,
          `POST ${route}`,
          2,
          t0,
          end,
          [
            str('http.method', 'POST'),
            str('http.target', route),
            str('http.status_code', String(status)),
            str('llm.model', r.model),
            ...(r.planoSessionIds ? [str('plano.session_id', r.session)] : []),
          ],
          isError,
        ),
      ),
      bySvc(
        'plano(routing)',
        span(ids.routing, ids.inbound, 'route', 1, routeStart, routeStart + routingMs, [
          ...(details?.routing ?? [str('routing.strategy', 'model_alias')]),
          str('llm.provider', r.provider),
        ]),
      ),
      bySvc('plano(llm)', span(ids.llm, ids.inbound, `chat ${r.model}`, 1, llmStart, llmEnd, llmAttrs, isError || status === 429)),
      bySvc(
        'plano(outbound)',
        span(
          ids.outbound,
          ids.llm,
          `POST ${route}`,
          3,
          outboundStart,
          llmEnd - 0.1,
          [str('http.method', 'POST'), str('server.address', `api.${r.provider}.com`), str('http.status_code', String(status))],
          isError,
        ),
      ),
    ],
  };
}

/** Merges several single-trace requests into one export batch (what an exporter's batch processor does). */
export function mergeRequests(requests: OtlpJsonRequest[]): OtlpJsonRequest {
  return { resourceSpans: requests.flatMap((r) => r.resourceSpans) };
}
