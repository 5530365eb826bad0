import { describe, expect, it } from 'vitest';
import { parseAttributeMap, promotedValues } from '../../../lib/enrich/promoted-columns';
import type { AttributeMap } from '../../../lib/otlp/span-record';
import { loadConfig } from '../../../server/config';

const s = (v: string) => ({ stringValue: v });
const i = (v: number) => ({ intValue: String(v) });
const d = (v: number) => ({ doubleValue: v });

describe('LLM attribute mapping', () => {
  it('reads Plano keys, including time to first token', () => {
    const attrs: AttributeMap = {
      'llm.model': s('gpt-4o'),
      'llm.usage.prompt_tokens': s('120'),
      'llm.usage.completion_tokens': i(30),
      'llm.usage.total_tokens': i(150),
      'llm.usage.total_cost_usd': d(0.0012),
      'llm.time_to_first_token': d(412.5),
    };
    expect(promotedValues(attrs, {})).toMatchObject({
      llmModel: 'gpt-4o',
      promptTokens: 120,
      completionTokens: 30,
      totalTokens: 150,
      costUsd: 0.0012,
      ttftMs: 412.5,
    });
  });

  it('reads the OpenTelemetry GenAI and OpenInference conventions', () => {
    expect(promotedValues({ 'gen_ai.response.model': s('claude'), 'gen_ai.usage.input_tokens': i(10), 'gen_ai.usage.output_tokens': i(5) }, {})).toMatchObject({
      llmModel: 'claude',
      promptTokens: 10,
      completionTokens: 5,
      totalTokens: 15,
      ttftMs: null,
    });
    expect(promotedValues({ 'llm.model_name': s('mistral'), 'llm.token_count.total': i(99) }, {})).toMatchObject({ llmModel: 'mistral', totalTokens: 99 });
  });

  it('TRACEDECK_ATTRIBUTE_MAP adds keys after the built-in ones', () => {
    const { attributeMapping: mapping } = loadConfig({
      TRACEDECK_ATTRIBUTE_MAP: 'model=ai.model.id; total_tokens=ai.usage.tokens,usage.total ; cost_usd=billing.usd; ttft_ms=ai.ttft',
    });
    expect(mapping.llmModel).toEqual(['llm.model', 'gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name', 'ai.model.id']);
    const attrs: AttributeMap = { 'ai.model.id': s('house-model'), 'usage.total': i(77), 'billing.usd': s('0.5'), 'ai.ttft': d(90) };
    expect(promotedValues(attrs, {}, mapping)).toMatchObject({ llmModel: 'house-model', totalTokens: 77, costUsd: 0.5, ttftMs: 90 });
    // Built-in keys still win.
    expect(promotedValues({ ...attrs, 'llm.model': s('gpt-4o') }, {}, mapping).llmModel).toBe('gpt-4o');
    // Without the setting, only the built-in keys feed the columns.
    expect(promotedValues(attrs, {})).toMatchObject({ llmModel: null, totalTokens: null, costUsd: null, ttftMs: null });
  });

  it('refuses unknown fields (user.id and session.id are not remappable)', () => {
    expect(() => parseAttributeMap('user_id=customer')).toThrow(/field one of model/);
    expect(() => parseAttributeMap('model')).toThrow(/field=key/);
    expect(parseAttributeMap('')).toEqual({});
  });

  it('a malformed TRACEDECK_ATTRIBUTE_MAP leaves the built-in keys, with the reason kept for the log', () => {
    const config = loadConfig({ TRACEDECK_ATTRIBUTE_MAP: 'user_id=customer' });
    expect(config.attributeMapping).toEqual(loadConfig({}).attributeMapping);
    expect(config.attributeMappingError).toMatch(/^TRACEDECK_ATTRIBUTE_MAP: expected field=key/);
    expect(loadConfig({}).attributeMappingError).toBeNull();
  });
});
