import { describe, expect, it } from 'vitest';
import { displayAttributes, globMatch, spanErrorBanner, statusPhrase, unmatchedPatterns } from '../../../cli/trace/attributes';
import { renderTrace, renderTraceList, serviceColor, summaryLabel } from '../../../cli/trace/render';
import { createPainter, detectColorDepth, plainPainter, stripAnsi } from '../../../cli/trace/style';
import { TRACE_ID, failedTrace, span, summary } from './fixtures';

const SHARE = `http://localhost:3000/traces/${TRACE_ID}?from=a&to=b`;

describe('renderTrace', () => {
  it('draws the span tree: offsets from the trace start, children under parents, banners above failed spans, share URL last', () => {
    const lines = renderTrace(failedTrace(), { verbose: false, patterns: [], shareUrl: SHARE }, plainPainter);
    expect(lines.join('\n')).toBe(
      [
        '',
        `Trace: ${TRACE_ID} (1511ms total)`,
        '',
        '├── Bad Gateway',
        '└── 0ms plano(inbound) POST /v1/chat/completions',
        '    ├── http.status_code: 502 💥',
        '    ├── http.method: POST',
        '    ├── http.target: /v1/chat/completions',
        '    │',
        '    ├── 0ms plano(routing) route',
        '    │   ├── routing.strategy: model_alias',
        '    │   ├── tenant.id: acme-corp',
        '    │   └── user.id: usr_1',
        '    │',
        '    ├── Bad Gateway',
        '    └── 12ms plano(llm) chat gpt-4o',
        '        ├── http.status_code: 502 💥',
        '        ├── error.message: openai returned 500: internal server error',
        '        ├── llm.model: gpt-4o',
        '        ├── llm.is_streaming: false',
        '        ├── llm.usage.total_cost_usd: 0.0123',
        '        ├── llm.usage.total_tokens: 1234',
        '        ├── tenant.id: acme-corp',
        '        ├── user.id: usr_1',
        '        │',
        '        ├── Bad Gateway',
        '        └── 13ms plano(outbound) POST /v1/chat/completions',
        '            ├── http.status_code: 502 💥',
        '            └── http.method: POST',
        '',
        `Open in Tracedeck: ${SHARE}`,
        '',
      ].join('\n'),
    );
  });

  it('--verbose shows every attribute of inbound/outbound spans, and resource attributes', () => {
    const text = renderTrace(failedTrace(), { verbose: true, patterns: [] }, plainPainter).join('\n');
    expect(text).toContain('    ├── tenant.id: acme-corp\n');
    expect(text).toContain('service.name.override: gateway');
    expect(text).toContain('deployment.environment: production');
    expect(text).not.toMatch(/service\.name: /);
    expect(text).not.toContain('Open in Tracedeck');
  });

  it('--filter patterns keep only matching keys (globs), still trimmed for inbound/outbound', () => {
    const text = renderTrace(failedTrace(), { verbose: false, patterns: ['http.*', 'llm.usage.*'] }, plainPainter).join('\n');
    const keys = [...text.matchAll(/── ([\w.:-]+): /g)].map((m) => m[1]);
    expect(new Set(keys)).toEqual(new Set(['http.status_code', 'http.method', 'http.target', 'llm.usage.total_cost_usd', 'llm.usage.total_tokens']));
    // A span left without attributes keeps its line, and the tree stays connected.
    expect(text).toContain('    ├── 0ms plano(routing) route\n    │\n');
  });

  it('a 2xx trace has no banner; offsets round to whole ms', () => {
    const ok = [
      span('a000000000000001', null, 'svc', 'root', 0, 100, { 'http.status_code': { intValue: '200' } }),
      span('b000000000000002', 'a000000000000001', 'svc', 'child', 49.5, 60, {}),
      span('c000000000000003', 'ffffffffffffffff', 'other', 'orphan', 70.2, 80, {}),
    ];
    const lines = renderTrace({ traceId: TRACE_ID, spans: ok }, { verbose: false, patterns: [] }, plainPainter);
    expect(lines.slice(3, -1)).toEqual(['├── 0ms svc root', '│   ├── http.status_code: 200', '│   │', '│   └── 50ms svc child', '│', '└── 70ms other orphan']);
  });

  it('says so when a trace has no spans', () => {
    expect(renderTrace({ traceId: TRACE_ID, spans: [] }, { verbose: false, patterns: [] }, plainPainter)).toEqual(['No spans found for this trace.']);
  });

  it('colours services, errors and guides when the painter is on, and nothing when off', () => {
    const coloured = renderTrace(failedTrace(), { verbose: false, patterns: [], shareUrl: SHARE }, createPainter(24));
    const text = coloured.join('\n');
    expect(text).toContain('\x1b[');
    expect(text).toContain('\x1b[1;38;2;227;162;250mplano(routing)'); // routing: #e3a2fa, bold
    expect(text).toContain('\x1b[1;38;2;255;107;107mplano(llm)'); // a failed span: light red
    expect(text).toContain('\x1b[91mBad Gateway'); // the banner: bright red
    expect(stripAnsi(text)).toBe(renderTrace(failedTrace(), { verbose: false, patterns: [], shareUrl: SHARE }, plainPainter).join('\n'));
    expect(serviceColor('plano(llm)').fg).toBe('green');
    expect(serviceColor('plano(routing)').fg).toBe('#e3a2fa');
  });
});

describe('errors and attributes', () => {
  it('banner: HTTP status phrase first, then error.message / exception.message, then exception events and error status', () => {
    const base = (attrs: Record<string, string>, extra = {}) =>
      span('a000000000000001', null, 's', 'n', 0, 1, Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { stringValue: v }])), extra);
    expect(spanErrorBanner(base({ 'http.status_code': '503', 'error.message': 'x' }))).toBe('Service Unavailable');
    expect(spanErrorBanner(base({ 'http.status_code': '200', 'error.message': 'boom' }))).toBe('boom');
    expect(spanErrorBanner(base({ 'exception.message': 'kaput' }))).toBe('kaput');
    expect(spanErrorBanner(base({ 'http.status_code': '200' }))).toBeNull();
    expect(
      spanErrorBanner(base({}, { events: [{ timeUnixNano: '1', name: 'exception', attributes: { 'exception.message': { stringValue: 'thrown' } } }] })),
    ).toBe('thrown');
    expect(spanErrorBanner(base({}, { status: { code: 2, message: 'bad' } }))).toBe('bad');
    expect(spanErrorBanner(base({}, { status: { code: 2, message: null } }))).toBe('Error');
  });

  it('status phrases as planoai words them', () => {
    expect([400, 401, 403, 404, 418, 429, 500, 502, 503, 504, 599].map(statusPhrase)).toEqual([
      'Bad Request',
      'Unauthorized - Auth Required',
      'Forbidden - Access Denied',
      'Not Found',
      'Client Error',
      'Rate Limit Exceeded',
      'Internal Server Error',
      'Bad Gateway',
      'Service Unavailable',
      'Gateway Timeout',
      'Server Error',
    ]);
  });

  it('globs work as fnmatch: *, ?, [set], [!set], whole key', () => {
    expect(globMatch('http.status_code', 'http.*')).toBe(true);
    expect(globMatch('xhttp.method', 'http.*')).toBe(false);
    expect(globMatch('llm.model', 'llm.mode?')).toBe(true);
    expect(globMatch('llm.model', '*model')).toBe(true);
    expect(globMatch('a1', 'a[0-9]')).toBe(true);
    expect(globMatch('ab', 'a[!0-9]')).toBe(true);
    expect(globMatch('a.b', 'a?b')).toBe(true);
    expect(globMatch('a+b', 'a+b')).toBe(true);
  });

  it('unmatched patterns are the ones no known key matches', () => {
    expect(unmatchedPatterns(['http.*', 'nope.*', 'user.id'], ['http.method', 'user.id'])).toEqual(['nope.*']);
  });

  it('display order: error keys, planoai priority keys, the rest alphabetically', () => {
    const llm = failedTrace().spans[1];
    expect(displayAttributes(llm, { verbose: false, patterns: [] }).map(([k]) => k)).toEqual([
      'http.status_code',
      'error.message',
      'llm.model',
      'llm.is_streaming',
      'llm.usage.total_cost_usd',
      'llm.usage.total_tokens',
      'tenant.id',
      'user.id',
    ]);
  });
});

describe('list lines', () => {
  it('planoai’s "Trace IDs:" list with short ids, duration, local time, tenant, model and status', () => {
    const lines = renderTraceList(
      [summary(), summary({ traceId: 'ffffffff' + TRACE_ID.slice(8), httpStatusCode: null, llmModel: null, errorCount: 0 })],
      plainPainter,
    );
    expect(lines[0]).toBe('');
    expect(lines[1]).toBe('Trace IDs:');
    expect(lines[2]).toMatch(/^ {2}- 4bf92f35 \(1511ms total • \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\) {2}acme-corp {2}gpt-4o {2}502$/);
    expect(lines[3]).toMatch(/^ {2}- ffffffff \(1511ms total • .*\) {2}acme-corp$/);
    expect(renderTraceList([], plainPainter)).toEqual(['No trace IDs found.']);
  });

  it('picker label as planoai’s', () => {
    expect(summaryLabel(summary())).toMatch(/^4bf92f35 \(1511ms total • \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$/);
  });
});

describe('colour detection', () => {
  const tty = { isTTY: true, getColorDepth: () => 24 };
  it('is on for a terminal, off when piped, off with NO_COLOR, forced with FORCE_COLOR', () => {
    expect(detectColorDepth(tty, {})).toBe(24);
    expect(detectColorDepth({ isTTY: false }, {})).toBe(0);
    expect(detectColorDepth(tty, { NO_COLOR: '1' })).toBe(0);
    expect(detectColorDepth(tty, { NO_COLOR: '' })).toBe(24);
    expect(detectColorDepth(tty, { TERM: 'dumb' })).toBe(0);
    expect(detectColorDepth({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(4);
    expect(detectColorDepth(tty, { FORCE_COLOR: '0' })).toBe(0);
    expect(detectColorDepth({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(0);
  });

  it('maps hex colours down for 256- and 16-colour terminals', () => {
    expect(createPainter(8).paint('x', { fg: '#ff0000' })).toBe('\x1b[38;5;196mx\x1b[0m');
    expect(createPainter(4).paint('x', { fg: '#ff0000' })).toBe('\x1b[91mx\x1b[0m');
    expect(createPainter(4).paint('x', { fg: '#e3a2fa', fg16: 'magenta', bold: true })).toBe('\x1b[1;35mx\x1b[0m');
    expect(plainPainter.paint('x', { fg: 'red', bold: true })).toBe('x');
  });
});
