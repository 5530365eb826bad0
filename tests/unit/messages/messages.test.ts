/**
 * lib/messages: each convention from payloads shaped like the ones real instrumentations
 * send (the OpenTelemetry GenAI spec's examples, OpenLLMetry's legacy keys, OpenInference's
 * flattened keys, GenAI span events, Plano's attributes), and how they combine on one span.
 */
import { describe, expect, it } from 'vitest';
import { collapseText } from '../../../lib/messages/collapse';
import { extractSpanMessages } from '../../../lib/messages';
import type { AttributeMap, OtlpAnyValue, SpanEvent } from '../../../lib/otlp/span-record';

const s = (stringValue: string): OtlpAnyValue => ({ stringValue });
const span = (attributes: AttributeMap, events: SpanEvent[] = []) => ({ attributes, events });
const event = (name: string, attributes: AttributeMap): SpanEvent => ({ name, timeUnixNano: '1', attributes });

const WEATHER_INPUT = [
  { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
  { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_VSPygqKTWdrhaFErNvMV18Yl', name: 'get_weather', arguments: { location: 'Paris' } }] },
  { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_VSPygqKTWdrhaFErNvMV18Yl', response: 'rainy, 57°F' }] },
];
const WEATHER_OUTPUT = [
  { role: 'assistant', parts: [{ type: 'text', content: 'The weather in Paris is currently rainy with a temperature of 57°F.' }], finish_reason: 'stop' },
];

describe('OpenTelemetry GenAI: gen_ai.input.messages / output.messages / system_instructions', () => {
  it('reads roles, text, tool calls with pretty-printed arguments and tool responses', () => {
    const m = extractSpanMessages(
      span({
        'gen_ai.system_instructions': s(JSON.stringify([{ type: 'text', content: 'You are a weather assistant.' }])),
        'gen_ai.input.messages': s(JSON.stringify(WEATHER_INPUT)),
        'gen_ai.output.messages': s(JSON.stringify(WEATHER_OUTPUT)),
      }),
    );
    expect(m?.formats).toEqual(['gen_ai']);
    expect(m?.system).toEqual([{ role: 'system', name: null, parts: [{ kind: 'text', text: 'You are a weather assistant.' }], finishReason: null }]);
    expect(m?.input.map((x) => x.role)).toEqual(['user', 'assistant', 'tool']);
    expect(m?.input[1].parts).toEqual([
      { kind: 'tool_call', id: 'call_VSPygqKTWdrhaFErNvMV18Yl', name: 'get_weather', arguments: '{\n  "location": "Paris"\n}' },
    ]);
    expect(m?.input[2].parts).toEqual([{ kind: 'tool_result', id: 'call_VSPygqKTWdrhaFErNvMV18Yl', name: null, result: 'rainy, 57°F' }]);
    expect(m?.output).toEqual([
      {
        role: 'assistant',
        name: null,
        parts: [{ kind: 'text', text: 'The weather in Paris is currently rainy with a temperature of 57°F.' }],
        finishReason: 'stop',
      },
    ]);
    expect(m?.raw.map((r) => r.key)).toEqual(['gen_ai.system_instructions', 'gen_ai.input.messages', 'gen_ai.output.messages']);
    expect(m?.raw[1].text).toBe(JSON.stringify(WEATHER_INPUT));
  });

  it('takes the same structure stored as OTLP arrays and kvlists, arguments as a JSON string, and unknown parts as JSON', () => {
    const kv = (values: Record<string, OtlpAnyValue>): OtlpAnyValue => ({
      kvlistValue: { values: Object.entries(values).map(([key, value]) => ({ key, value })) },
    });
    const m = extractSpanMessages(
      span({
        'gen_ai.input.messages': {
          arrayValue: {
            values: [
              kv({
                role: s('user'),
                parts: {
                  arrayValue: {
                    values: [kv({ type: s('text'), content: s('Describe this') }), kv({ type: s('uri'), modality: s('image'), uri: s('https://x/cat.png') })],
                  },
                },
              }),
            ],
          },
        },
        'gen_ai.output.messages': s(
          JSON.stringify([
            { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: '{"id":7,"deep":true}' }], finish_reason: 'tool_call' },
          ]),
        ),
      }),
    );
    expect(m?.input[0].parts).toEqual([
      { kind: 'text', text: 'Describe this' },
      { kind: 'other', type: 'uri', text: '{\n  "type": "uri",\n  "modality": "image",\n  "uri": "https://x/cat.png"\n}' },
    ]);
    expect(m?.output[0]).toMatchObject({ finishReason: 'tool_call', parts: [{ kind: 'tool_call', arguments: '{\n  "id": 7,\n  "deep": true\n}' }] });
  });

  it('says when a value is not JSON, and keeps it for the raw view', () => {
    const m = extractSpanMessages(span({ 'gen_ai.input.messages': s('[{"role": "user", "parts": [') }));
    expect(m?.input).toEqual([]);
    expect(m?.problems[0]).toMatch(/^gen_ai\.input\.messages is not valid JSON \(.+\); see the raw view$/);
    expect(m?.raw).toEqual([{ key: 'gen_ai.input.messages', text: '[{"role": "user", "parts": [' }]);
  });

  it('reads OpenAI- and Anthropic-shaped messages written under the same keys', () => {
    const m = extractSpanMessages(
      span({
        'gen_ai.input.messages': s(
          JSON.stringify([
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: [{ type: 'text', text: 'Find the docs' }] },
            { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"docs"}' } }] },
            { role: 'tool', tool_call_id: 'call_1', content: '{"hits":3}' },
            { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'open', input: { n: 1 } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'page 1' }] }] },
          ]),
        ),
      }),
    );
    expect(m?.system[0].parts).toEqual([{ kind: 'text', text: 'Be brief.' }]);
    expect(m?.input.map((x) => x.parts)).toEqual([
      [{ kind: 'text', text: 'Find the docs' }],
      [{ kind: 'tool_call', id: 'call_1', name: 'search', arguments: '{\n  "q": "docs"\n}' }],
      [{ kind: 'tool_result', id: 'call_1', name: null, result: '{\n  "hits": 3\n}' }],
      [{ kind: 'tool_call', id: 'toolu_1', name: 'open', arguments: '{\n  "n": 1\n}' }],
      [{ kind: 'tool_result', id: 'toolu_1', name: null, result: 'page 1' }],
    ]);
  });
});

describe('GenAI legacy: gen_ai.prompt.N.* / gen_ai.completion.N.* (OpenLLMetry)', () => {
  it('folds the indexed keys back into messages, tool calls and tool results included', () => {
    const m = extractSpanMessages(
      span({
        'gen_ai.prompt.0.role': s('system'),
        'gen_ai.prompt.0.content': s('You are a helpful assistant.'),
        'gen_ai.prompt.1.role': s('user'),
        'gen_ai.prompt.1.content': s("What's the weather in Boston?"),
        'gen_ai.prompt.2.role': s('assistant'),
        'gen_ai.prompt.2.tool_calls.0.id': s('call_abc'),
        'gen_ai.prompt.2.tool_calls.0.name': s('get_current_weather'),
        'gen_ai.prompt.2.tool_calls.0.arguments': s('{"location": "Boston, MA"}'),
        'gen_ai.prompt.3.role': s('tool'),
        'gen_ai.prompt.3.content': s('{"temperature": 72, "unit": "F"}'),
        'gen_ai.prompt.3.tool_call_id': s('call_abc'),
        'gen_ai.completion.0.role': s('assistant'),
        'gen_ai.completion.0.content': s('It is 72°F in Boston.'),
        'gen_ai.completion.0.finish_reason': s('stop'),
        'gen_ai.request.model': s('gpt-4o'),
        'gen_ai.prompt_tokens': { intValue: '52' },
      }),
    );
    expect(m?.formats).toEqual(['gen_ai_legacy']);
    expect(m?.system[0].parts).toEqual([{ kind: 'text', text: 'You are a helpful assistant.' }]);
    expect(m?.input.map((x) => x.role)).toEqual(['user', 'assistant', 'tool']);
    expect(m?.input[1].parts).toEqual([{ kind: 'tool_call', id: 'call_abc', name: 'get_current_weather', arguments: '{\n  "location": "Boston, MA"\n}' }]);
    expect(m?.input[2].parts).toEqual([{ kind: 'tool_result', id: 'call_abc', name: null, result: '{\n  "temperature": 72,\n  "unit": "F"\n}' }]);
    expect(m?.output).toEqual([{ role: 'assistant', name: null, parts: [{ kind: 'text', text: 'It is 72°F in Boston.' }], finishReason: 'stop' }]);
    expect(m?.raw.map((r) => r.key)).not.toContain('gen_ai.prompt_tokens');
  });

  it('reads an older function_call completion, and index order over key order', () => {
    const m = extractSpanMessages(
      span({
        'gen_ai.completion.10.content': s('tenth'),
        'gen_ai.completion.2.content': s('second'),
        'gen_ai.completion.0.function_call.name': s('lookup'),
        'gen_ai.completion.0.function_call.arguments': s('{"id": 1}'),
      }),
    );
    expect(m?.output.map((x) => x.parts[0])).toEqual([
      { kind: 'tool_call', id: null, name: 'lookup', arguments: '{\n  "id": 1\n}' },
      { kind: 'text', text: 'second' },
      { kind: 'text', text: 'tenth' },
    ]);
    expect(m?.output[0].role).toBe('assistant');
  });

  it('a hostile key cannot reach Object.prototype', () => {
    extractSpanMessages(span({ 'gen_ai.prompt.__proto__.polluted': s('yes'), 'gen_ai.prompt.0.constructor.prototype.polluted': s('yes') }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('OpenInference: llm.input_messages.N.message.* / llm.output_messages.N.message.*', () => {
  it('reads content, multi-part contents, tool calls and the tools’ JSON schemas', () => {
    const m = extractSpanMessages(
      span({
        'llm.input_messages.0.message.role': s('system'),
        'llm.input_messages.0.message.content': s('You answer from the docs.'),
        'llm.input_messages.1.message.role': s('user'),
        'llm.input_messages.1.message.contents.0.message_content.type': s('text'),
        'llm.input_messages.1.message.contents.0.message_content.text': s('How do I enable tracing?'),
        'llm.input_messages.1.message.contents.1.message_content.type': s('image'),
        'llm.input_messages.1.message.contents.1.message_content.image.image.url': s('https://x/screenshot.png'),
        'llm.output_messages.0.message.role': s('assistant'),
        'llm.output_messages.0.message.tool_calls.0.tool_call.id': s('call_9'),
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': s('search_docs'),
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': s('{"query": "enable tracing"}'),
        'llm.tools.0.tool.json_schema': s(
          JSON.stringify({
            type: 'function',
            function: { name: 'search_docs', description: 'Search the docs', parameters: { type: 'object', properties: { query: { type: 'string' } } } },
          }),
        ),
        'llm.model_name': s('gpt-4o-mini'),
        'openinference.span.kind': s('LLM'),
      }),
    );
    expect(m?.formats).toEqual(['openinference']);
    expect(m?.system[0].parts).toEqual([{ kind: 'text', text: 'You answer from the docs.' }]);
    expect(m?.input[0].parts[0]).toEqual({ kind: 'text', text: 'How do I enable tracing?' });
    expect(m?.input[0].parts[1]).toMatchObject({ kind: 'other', type: 'image' });
    expect(m?.output[0].parts).toEqual([{ kind: 'tool_call', id: 'call_9', name: 'search_docs', arguments: '{\n  "query": "enable tracing"\n}' }]);
    expect(m?.tools).toEqual([
      {
        name: 'search_docs',
        description: 'Search the docs',
        parameters: '{\n  "type": "object",\n  "properties": {\n    "query": {\n      "type": "string"\n    }\n  }\n}',
      },
    ]);
  });

  it('a tool message answers its call', () => {
    const m = extractSpanMessages(
      span({
        'llm.input_messages.0.message.role': s('tool'),
        'llm.input_messages.0.message.tool_call_id': s('call_9'),
        'llm.input_messages.0.message.name': s('search_docs'),
        'llm.input_messages.0.message.content': s('3 pages found'),
      }),
    );
    expect(m?.input[0]).toEqual({
      role: 'tool',
      name: null,
      parts: [{ kind: 'tool_result', id: 'call_9', name: 'search_docs', result: '3 pages found' }],
      finishReason: null,
    });
  });
});

describe('GenAI span events', () => {
  it('reads gen_ai.*.message events and gen_ai.choice, in event order', () => {
    const m = extractSpanMessages(
      span({}, [
        event('gen_ai.system.message', { 'gen_ai.system': s('openai'), content: s('You are terse.') }),
        event('gen_ai.user.message', { content: s('Weather in Paris?') }),
        event('gen_ai.assistant.message', {
          tool_calls: s(JSON.stringify([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }])),
        }),
        event('gen_ai.tool.message', { content: s('rainy'), id: s('call_1') }),
        event('gen_ai.choice', { index: { intValue: '0' }, finish_reason: s('stop'), message: s(JSON.stringify({ role: 'assistant', content: 'Rainy.' })) }),
        event('exception', { 'exception.message': s('unrelated') }),
      ]),
    );
    expect(m?.formats).toEqual(['gen_ai_events']);
    expect(m?.system[0].parts).toEqual([{ kind: 'text', text: 'You are terse.' }]);
    expect(m?.input.map((x) => [x.role, x.parts[0].kind])).toEqual([
      ['user', 'text'],
      ['assistant', 'tool_call'],
      ['tool', 'tool_result'],
    ]);
    expect(m?.input[2].parts[0]).toEqual({ kind: 'tool_result', id: 'call_1', name: null, result: 'rainy' });
    expect(m?.output).toEqual([{ role: 'assistant', name: null, parts: [{ kind: 'text', text: 'Rainy.' }], finishReason: 'stop' }]);
    expect(m?.raw.map((r) => r.key)).toContain('event gen_ai.choice: finish_reason');
    expect(m?.raw.map((r) => r.key)).not.toContain('event exception: exception.message');
  });

  it('reads the older gen_ai.content.prompt / completion events and the operation details event', () => {
    const older = extractSpanMessages(
      span({}, [
        event('gen_ai.content.prompt', { 'gen_ai.prompt': s(JSON.stringify([{ role: 'user', content: 'hi' }])) }),
        event('gen_ai.content.completion', { 'gen_ai.completion': s(JSON.stringify([{ role: 'assistant', content: 'hello' }])) }),
      ]),
    );
    expect([older?.input[0].parts, older?.output[0].parts]).toEqual([[{ kind: 'text', text: 'hi' }], [{ kind: 'text', text: 'hello' }]]);
    const details = extractSpanMessages(
      span({}, [
        event('gen_ai.client.inference.operation.details', {
          'gen_ai.input.messages': s(JSON.stringify(WEATHER_INPUT)),
          'gen_ai.output.messages': s(JSON.stringify(WEATHER_OUTPUT)),
        }),
      ]),
    );
    expect(details?.input).toHaveLength(3);
    expect(details?.output[0].finishReason).toBe('stop');
  });
});

describe('Plano: llm.user_message_preview and llm.tools', () => {
  it('shows the preview as a user message marked as a preview, and the tools by name', () => {
    const m = extractSpanMessages(
      span({ 'llm.user_message_preview': s('Summarize the incident report for…'), 'llm.tools': s('["get_weather","search_docs"]') }),
    );
    expect(m?.formats).toEqual(['plano']);
    expect(m?.input).toEqual([
      { role: 'user', name: null, parts: [{ kind: 'text', text: 'Summarize the incident report for…' }], finishReason: null, preview: true },
    ]);
    expect(m?.tools.map((t) => t.name)).toEqual(['get_weather', 'search_docs']);
  });

  it('llm.tools as comma-separated names, an OTLP array, or OpenAI tool objects', () => {
    const names = (v: OtlpAnyValue) => extractSpanMessages(span({ 'llm.tools': v }))?.tools.map((t) => t.name);
    expect(names(s('get_weather, search_docs'))).toEqual(['get_weather', 'search_docs']);
    expect(names({ arrayValue: { values: [s('a'), s('b')] } })).toEqual(['a', 'b']);
    expect(names(s(JSON.stringify([{ type: 'function', function: { name: 'f', description: 'does f', parameters: {} } }])))).toEqual(['f']);
  });

  it('beside an SDK’s full messages, the preview does not hide them; the tools merge by name', () => {
    const m = extractSpanMessages(
      span({
        'llm.user_message_preview': s('Weather in Par'),
        'llm.tools': s('get_weather'),
        'gen_ai.input.messages': s(JSON.stringify(WEATHER_INPUT)),
        'gen_ai.tool.definitions': s(
          JSON.stringify([{ type: 'function', name: 'get_weather', description: 'Current weather', parameters: { type: 'object' } }]),
        ),
      }),
    );
    expect(m?.input).toHaveLength(3);
    expect(m?.input[0].preview).toBeUndefined();
    expect(m?.formats).toEqual(['gen_ai', 'plano']);
    expect(m?.tools).toEqual([{ name: 'get_weather', description: 'Current weather', parameters: '{\n  "type": "object"\n}' }]);
  });
});

describe('spans without messages, and long content', () => {
  it('null for a span with none of the keys', () => {
    expect(extractSpanMessages(span({ 'llm.model': s('gpt-4o'), 'http.status_code': s('200') }, [event('exception', {})]))).toBeNull();
  });

  it('collapseText keeps short text whole and folds long text at a line end, counting what is hidden', () => {
    expect(collapseText('short')).toEqual({ head: 'short', hiddenChars: 0, hiddenLines: 0 });
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    const folded = collapseText(lines);
    expect(folded.head).toBe(Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n'));
    expect(folded.head.length + folded.hiddenChars).toBe(lines.length);
    expect(folded.hiddenLines).toBe(20);
    const oneLine = 'x'.repeat(2000);
    expect(collapseText(oneLine)).toEqual({ head: 'x'.repeat(600), hiddenChars: 1400, hiddenLines: 0 });
  });
});
