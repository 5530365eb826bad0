import { describe, expect, it } from 'vitest';
import { planoDemoRequests } from '../../../lib/demo/plano-traces';

type Span = { traceId: string; parentSpanId?: string; attributes: { key: string; value: unknown }[] };

function spansOf(planoSessionIds?: boolean): Span[] {
  const out: Span[] = [];
  const opts = { traces: 200, seed: 3, endMs: Date.parse('2026-12-01T00:00:00Z'), hours: 2, planoSessionIds };
  for (const r of planoDemoRequests(opts)) for (const rs of r.resourceSpans) for (const ss of rs.scopeSpans) out.push(...ss.spans);
  return out;
}

const text = (s: Span, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value as { stringValue?: string } | undefined;
  return v?.stringValue ?? null;
};

describe('the seeded traffic has multi-turn sessions with Plano session ids', () => {
  it('puts plano.session_id (= session.id) on the root span only, and sessions have several turns', () => {
    const spans = spansOf();
    for (const s of spans) {
      if (s.parentSpanId === undefined) expect(text(s, 'plano.session_id')).toBe(text(s, 'session.id'));
      else expect(text(s, 'plano.session_id')).toBeNull();
    }
    const turns = new Map<string, Set<string>>();
    for (const s of spans.filter((x) => x.parentSpanId === undefined)) {
      const id = text(s, 'plano.session_id') ?? '';
      turns.set(id, (turns.get(id) ?? new Set()).add(s.traceId));
    }
    expect(Math.max(...[...turns.values()].map((t) => t.size))).toBeGreaterThanOrEqual(3);
  });

  it('leaves every other value as it was when turned off', () => {
    const on = spansOf(true);
    const off = spansOf(false);
    const strip = (s: Span) => ({ ...s, attributes: s.attributes.filter((a) => a.key !== 'plano.session_id') });
    expect(on.map(strip)).toEqual(off);
    expect(off.some((s) => text(s, 'plano.session_id') !== null)).toBe(false);
  });
});
