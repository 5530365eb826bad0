/**
 * The chat view of the span panel end to end: `tracedeck serve`, the seeded demo traffic
 * (whose plano(llm) spans carry GenAI messages with tool calls and Plano's preview), and a
 * span whose messages try to inject markup and script, in headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSpan } from '../../lib/trace/wire';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';

declare global {
  interface Window {
    __pwned?: unknown;
  }
}

type TraceBody = { traceId: string; spans: StoredSpan[] };
type ListBody = { traces: { traceId: string }[] };

const SHOTS = path.join(process.cwd(), 'tests/e2e/screenshots');
const HOSTILE = {
  user: '<script>window.__pwned=1</script>What is <b>bold</b>?',
  args: '{"html":"<img src=x onerror=\\"window.__pwned=2\\">"}',
  answer: '<img src=x onerror="window.__pwned=3">**not markdown** [link](javascript:window.__pwned=4)',
  preview: '<svg onload="window.__pwned=5">preview',
};

/** Waits (outside a test: expect.poll needs one) until `ready` holds: the summarizer makes new traces readable about a second after ingest. */
async function until(what: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function hostileSpan(traceId: string, spanId: string) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const input = [
    { role: 'user', parts: [{ type: 'text', content: HOSTILE.user }] },
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_x', name: '<i>tool</i>', arguments: HOSTILE.args }] },
  ];
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'agent')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId,
                name: 'chat hostile',
                kind: 3,
                startTimeUnixNano: (now - 2_000_000_000n).toString(),
                endTimeUnixNano: now.toString(),
                attributes: [
                  str('gen_ai.input.messages', JSON.stringify(input)),
                  str(
                    'gen_ai.output.messages',
                    JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: HOSTILE.answer }], finish_reason: 'stop' }]),
                  ),
                  str('llm.user_message_preview', HOSTILE.preview),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('messages and tool calls in the span panel (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;
  let agentTurn: { traceId: string; spanId: string; span: StoredSpan };
  const hostileTrace = randomBytes(16).toString('hex');
  const hostileSpanId = randomBytes(8).toString('hex');

  const api = async <T>(pathAndQuery: string) => (await (await fetch(`${app.url}${pathAndQuery}`)).json()) as T;
  const panel = (page: Page) => page.getByTestId('span-detail');

  async function openSpan(traceId: string, spanId: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${app.url}/traces/${traceId}?span=${spanId}`);
    await page.waitForSelector('[data-testid="span-messages"]');
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="messages-raw-toggle"]');
      return !!el && Object.keys(el).some((k) => k.startsWith('__reactFiber'));
    });
    return page;
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startAppServer();
    execFileSync(process.execPath, ['bin/tracedeck.mjs', 'seed', '--url', app.url, '--traces', '60', '--seed', '11'], { stdio: 'pipe' });
    const res = await fetch(`${app.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(hostileSpan(hostileTrace, hostileSpanId)),
    });
    expect(res.status).toBe(200);
    // A seeded agent turn that ran a tool and answered (it has the tool's response among its inputs).
    const agentTurns = '/api/traces?where=gen_ai.input.messages~"*tool_call_response*"&since=2d&limit=60';
    await until('the 60 seeded traces and the hostile one', async () => (await api<ListBody>('/api/traces?since=2d&limit=100')).traces.length === 61);
    const { traces } = await api<ListBody>(agentTurns);
    for (const { traceId } of traces) {
      const trace = await api<TraceBody>(`/api/traces/${traceId}`);
      const input = (s: StoredSpan) => (s.attributes['gen_ai.input.messages'] as { stringValue?: string } | undefined)?.stringValue ?? '';
      const span = trace.spans.find((s) => input(s).includes('"name":"search_docs"'));
      if (span) {
        agentTurn = { traceId, spanId: span.spanId, span };
        break;
      }
    }
    expect(agentTurn, 'a seeded search_docs turn').toBeDefined();
    await until('the hostile trace', async () => (await fetch(`${app.url}/api/traces/${hostileTrace}`)).status === 200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('a seeded agent turn shows roles, the tool call with pretty-printed arguments, its folded result, the answer and the tools', async () => {
    const page = await openSpan(agentTurn.traceId, agentTurn.spanId);
    const messages = panel(page).getByTestId('span-messages');
    expect(await messages.getByTestId('chat-role').allTextContents()).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    const call = messages.getByTestId('tool-call');
    expect(await call.textContent()).toContain('search_docs');
    expect(await call.getByTestId('tool-call-arguments').textContent()).toBe('{\n  "query": "plano tracing sampling collector",\n  "top_k": 18\n}');
    await messages.evaluate((el) => el.scrollIntoView());
    await page.screenshot({ path: path.join(SHOTS, 'trace-messages.png') });
    // The 18-line documentation result is folded, and unfolds on a click.
    const result = messages.getByTestId('tool-result');
    expect(await result.getByTestId('message-text').textContent()).not.toContain('[18]');
    await result.getByTestId('message-more').click();
    await expect.poll(() => result.getByTestId('message-text').textContent()).toContain('[18] tracing.md');
    expect(await messages.getByTestId('tool-definitions').textContent()).toContain('create_event');
    expect(await messages.textContent()).toContain('OpenTelemetry GenAI');

    // Raw: the stored values as they are.
    await messages.getByTestId('messages-raw-toggle').click();
    const raw = messages.getByTestId('messages-raw');
    await expect
      .poll(() => raw.locator('dt').allTextContents())
      .toEqual(
        expect.arrayContaining(['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'llm.user_message_preview', 'llm.tools']),
      );
    const stored = agentTurn.span.attributes['gen_ai.output.messages'] as { stringValue: string };
    expect(await raw.getByTestId('raw-value').allTextContents()).toContain(stored.stringValue);
    await messages.getByTestId('messages-raw-toggle').click();
    await expect.poll(() => messages.getByTestId('messages-chat').count()).toBe(1);
    await page.close();
  });

  it('a span with only Plano’s preview shows it as a preview of the user message', async () => {
    const { traces } = await api<ListBody>('/api/traces?where=llm.user_message_preview exists&where=NOT gen_ai.input.messages exists&since=2d&limit=1');
    const trace = await api<TraceBody>(`/api/traces/${traces[0].traceId}`);
    const llm = trace.spans.find((s) => 'llm.user_message_preview' in s.attributes) as StoredSpan;
    const page = await openSpan(trace.traceId, llm.spanId);
    const message = panel(page).getByTestId('chat-message');
    expect(await message.count()).toBe(1);
    expect(await message.textContent()).toContain('preview');
    expect(await message.getByTestId('message-text').textContent()).toBe((llm.attributes['llm.user_message_preview'] as { stringValue: string }).stringValue);
    await page.close();
  });

  it('markup and script inside messages render as text: nothing runs, no element is made', async () => {
    const page = await openSpan(hostileTrace, hostileSpanId);
    const messages = panel(page).getByTestId('span-messages');
    const texts = await messages.getByTestId('message-text').allTextContents();
    expect(texts).toContain(HOSTILE.user);
    expect(texts).toContain(HOSTILE.answer);
    expect(await messages.getByTestId('tool-call-arguments').textContent()).toBe('{\n  "html": "<img src=x onerror=\\"window.__pwned=2\\">"\n}');
    expect(await messages.getByTestId('tool-call').textContent()).toContain('<i>tool</i>');
    await messages.getByTestId('messages-raw-toggle').click();
    await expect.poll(() => messages.getByTestId('raw-value').allTextContents()).toContain(HOSTILE.preview);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(await messages.locator('script, img, svg, b, i, a, [onerror], [onload]').count()).toBe(0);
    await page.close();
  });
});
