/** lib/trace/internal-spans: which spans are Plano-internal, and folding them into their nearest visible ancestor. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_INTERNAL_RULES, foldInternalSpans, internalSpanPredicate, parseInternalRules } from '../../../lib/trace/internal-spans';

const span = (spanId: string, parentSpanId: string | null, service: string, name = 'op') => ({ spanId, parentSpanId, service, name });

/** A Plano request with trace_arch_internal: inbound → routing, orchestrator → handoff → llm → outbound. */
const PLANO = [
  span('in', null, 'plano(inbound)', 'POST /v1/chat/completions'),
  span('route', 'in', 'plano(routing)', 'route'),
  span('orch', 'in', 'plano(orchestrator)'),
  span('hand', 'orch', 'plano(handoff)'),
  span('llm', 'hand', 'plano(llm)', 'chat gpt-4o'),
  span('out', 'llm', 'plano(outbound)', 'POST /v1/chat/completions'),
  span('tool', 'out', 'weather-api', 'GET /weather'),
];

describe('foldInternalSpans', () => {
  it('folds Plano’s internal services into the nearest visible ancestor, re-parenting what they held', () => {
    const folded = foldInternalSpans(PLANO, DEFAULT_INTERNAL_RULES);
    expect(folded.spans.map((s) => [s.spanId, s.parentSpanId])).toEqual([
      ['in', null],
      ['llm', 'in'],
      ['tool', 'llm'],
    ]);
    expect(Object.fromEntries(folded.hiddenBy)).toEqual({ in: 3, llm: 1 });
    expect(folded.hiddenTotal).toBe(4);
  });

  it('keeps an internal root and an internal span whose parent is missing (nothing to fold them into)', () => {
    const folded = foldInternalSpans([span('r', null, 'plano(routing)'), span('x', 'gone', 'plano(handoff)'), span('c', 'r', 'app')], DEFAULT_INTERNAL_RULES);
    expect(folded.spans.map((s) => s.spanId)).toEqual(['r', 'x', 'c']);
    expect(folded.hiddenTotal).toBe(0);
  });

  it('the rules decide: span names by glob, no rules fold nothing, a parent cycle does not loop', () => {
    const byName = foldInternalSpans(PLANO, parseInternalRules('name=route,POST *'));
    expect(byName.spans.map((s) => s.spanId)).toEqual(['in', 'orch', 'hand', 'llm', 'tool']);
    expect(byName.spans.find((s) => s.spanId === 'tool')?.parentSpanId).toBe('llm');
    expect(foldInternalSpans(PLANO, parseInternalRules('off')).spans).toHaveLength(PLANO.length);
    const cycle = foldInternalSpans([span('a', 'b', 'plano(routing)'), span('b', 'a', 'plano(routing)')], DEFAULT_INTERNAL_RULES);
    expect(cycle.spans.map((s) => s.spanId)).toEqual(['a', 'b']);
  });
});

describe('parseInternalRules', () => {
  it('reads service= and name= parts, globs allowed', () => {
    expect(parseInternalRules('service=plano(routing), plano(handoff) ; name=arch_*')).toEqual({
      services: ['plano(routing)', 'plano(handoff)'],
      names: ['arch_*'],
    });
    const isInternal = internalSpanPredicate(parseInternalRules('service=gw-*'));
    expect([isInternal({ service: 'gw-router', name: 'x' }), isInternal({ service: 'gateway', name: 'x' })]).toEqual([true, false]);
  });

  it('names what is wrong', () => {
    expect(() => parseInternalRules('services=plano')).toThrow("expected service=… or name=… (got 'services=plano')");
  });
});
