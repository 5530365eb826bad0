/** Span attributes of one LLM request as Plano tags it, for tests that store hand-made requests. */
import type { AttributeMap } from '../../lib/otlp/span-record';

export type LlmRequestUsage = { tenant: string; model: string; input: number; output: number; cost?: number };

const int = (n: number) => ({ intValue: String(n) });
const str = (s: string) => ({ stringValue: s });

/** Tenant, model, prompt and completion tokens, and the reported cost when the request has one. */
export function llmRequestAttributes(r: LlmRequestUsage): AttributeMap {
  const attributes: AttributeMap = {
    'tenant.id': str(r.tenant),
    'llm.model': str(r.model),
    'llm.usage.prompt_tokens': int(r.input),
    'llm.usage.completion_tokens': int(r.output),
  };
  if (r.cost !== undefined) attributes['llm.usage.total_cost_usd'] = { doubleValue: r.cost };
  return attributes;
}
