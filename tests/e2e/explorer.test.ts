/**
 * The trace list end to end: `tracedeck serve` on an embedded database, demo data
 * loaded by `tracedeck seed` through the real OTLP route, spans from the official
 * protobuf exporter, and the list page driven in headless Chromium.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';
import { deltaText } from '../../components/compare/delta';

type ListTrace = {
  traceId: string;
  tenantId: string;
  httpStatusCode: number | null;
  durationMs: number;
  userId: string | null;
  rootName: string | null;
  llmModel: string | null;
};
type TraceBody = { traceId: string; spans: { spanId: string; parentSpanId: string | null; durationMs: number }[] };
type ListBody = { traces: ListTrace[]; nextCursor: string | null };

const SCREENSHOTS = 'tests/e2e/screenshots';

describe('trace list (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startAppServer();
    // Async on purpose: a blocked event loop would let the client keep sockets the server already closed.
    await promisify(execFile)(process.execPath, ['bin/tracedeck.mjs', 'seed', '--url', app.url, '--traces', '150', '--seed', '3']);
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const api = async (query: string) => (await (await fetch(`${app.url}/api/traces?${query}`)).json()) as ListBody;
  const rowIds = (page: Page) => page.locator('[data-testid="trace-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-trace-id')));
  const openList = async (page: Page, query = '') => {
    await page.goto(`${app.url}/${query ? `?${query}` : ''}`);
    await page.waitForSelector('[data-testid="trace-table"], [data-testid="list-empty"], [data-testid="list-error"]');
    // Interact only once React has hydrated the page (it tags hydrated nodes with its fiber keys).
    await page.waitForFunction(() => {
      const input = document.querySelector('[data-testid="where-input"]');
      return !!input && Object.keys(input).some((k) => k.startsWith('__reactFiber'));
    });
  };

  it('the seed loaded traces through the OTLP route, and the README curl returns only matching ones', async () => {
    const all = await api('limit=1000&since=2d');
    expect(all.traces).toHaveLength(150);
    const matching = await api('where=tenant.id=acme-corp&where=http.status_code>=500&limit=1000');
    expect(matching.traces.length).toBeGreaterThan(0);
    for (const t of matching.traces) {
      expect(t.tenantId).toBe('acme-corp');
      expect(t.httpStatusCode).toBeGreaterThanOrEqual(500);
    }
  });

  it('keeps exact nanosecond times and int64 values from the official protobuf exporter in the production build', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'e2e-service' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${app.url}/v1/traces` })), new SimpleSpanProcessor(memory)],
    });
    const span = provider.getTracer('e2e').startSpan('e2e-span', { kind: SpanKind.SERVER, attributes: { 'tenant.id': 'e2e-tenant', big: 2 ** 60 } });
    span.end();
    await provider.forceFlush();
    const [sent] = memory.getFinishedSpans();
    await provider.shutdown();
    const body = (await (await fetch(`${app.url}/api/traces/${span.spanContext().traceId}`)).json()) as {
      spans: { startTimeUnixNano: string; attributes: Record<string, unknown> }[];
    };
    const [s, ns] = sent.startTime;
    expect(body.spans[0].startTimeUnixNano).toBe((BigInt(s) * 1_000_000_000n + BigInt(ns)).toString());
    expect(body.spans[0].attributes.big).toEqual({ intValue: '1152921504606846976' });
  });

  it('renders the list from the URL, newest first, the same traces as the API', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openList(page, 'where=tenant.id%3Dglobex');
    const expected = await api('where=tenant.id=globex&limit=50&since=24h');
    expect(await rowIds(page)).toEqual(expected.traces.map((t) => t.traceId));
    await page.screenshot({ path: `${SCREENSHOTS}/list.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${SCREENSHOTS}/list-dark.png` });
    await page.close();
  });

  it('the tenant dropdown lists tenants with counts and filters the list through the where text', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openList(page);
    const select = page.getByTestId('tenant-select');
    await expect.poll(async () => (await select.locator('option').allTextContents()).join('|')).toMatch(/initech/);
    const options = await select.locator('option').allTextContents();
    expect(options.some((o) => /all tenants/i.test(o))).toBe(true);
    const initechCount = (await api('where=tenant.id=initech&limit=1000&since=24h')).traces.length;
    expect(options.find((o) => o.includes('initech'))).toContain(String(initechCount));

    const initechValue = await select.locator('option', { hasText: 'initech' }).getAttribute('value');
    await Promise.all([page.waitForURL(/initech/), select.selectOption(initechValue ?? 'initech')]);
    expect(new URL(page.url()).searchParams.get('where')).toBe('tenant.id = initech');
    await expect.poll(() => page.getByTestId('where-input').inputValue()).toBe('tenant.id = initech');
    await expect.poll(() => rowIds(page)).toEqual((await api('where=tenant.id=initech&limit=50&since=24h')).traces.map((t) => t.traceId));

    // Replacing the tenant keeps the rest of the filter.
    await page.getByTestId('where-input').fill('tenant.id=initech AND status=error');
    await Promise.all([page.waitForURL(/status/), page.getByTestId('where-input').press('Enter')]);
    const globexValue = await select.locator('option', { hasText: 'globex' }).getAttribute('value');
    await Promise.all([page.waitForURL(/globex/), select.selectOption(globexValue ?? 'globex')]);
    expect(new URL(page.url()).searchParams.get('where')).toBe('tenant.id = globex AND status = error');
    await page.close();
  });

  it('an invalid filter shows the parser message under its column and is not applied', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openList(page);
    const before = page.url();
    const input = page.getByTestId('where-input');
    await input.fill('tenant.id=acme AND http.status_code>=');
    await input.press('Enter');
    const error = page.getByTestId('where-error');
    await expect.poll(() => error.textContent()).toMatch(/expected a value after '>=' at column/);
    expect(page.url()).toBe(before);
    await page.screenshot({ path: `${SCREENSHOTS}/filter-error.png` });
    // A type or enum problem is underlined the same way, before anything is sent.
    await input.fill('tenant.id=acme kind=foo');
    await expect.poll(() => page.getByTestId('where-underline').textContent()).toBe('foo');
    await input.press('Enter');
    await expect.poll(() => error.textContent()).toMatch(/^unknown span kind 'foo' .* at column 21$/);
    expect(page.url()).toBe(before);
    // A URL with a bad filter renders the error instead of a list.
    await openList(page, `where=${encodeURIComponent('kind=sideways')}`);
    await expect.poll(() => page.getByTestId('list-error').textContent()).toMatch(/unknown span kind/);
    await page.close();
  });

  it('clicking an attribute value adds key=value, shift-click adds key!=value', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openList(page);
    const userButton = page.locator('td[data-column="user"] button').first();
    const user = (await userButton.textContent()) ?? '';
    await Promise.all([page.waitForURL(/user\.id/), userButton.click()]);
    expect(new URL(page.url()).searchParams.get('where')).toBe(`user.id = ${user}`);
    const expectedIds = (await api(`where=${encodeURIComponent(`user.id=${user}`)}&since=24h`)).traces.map((t) => t.traceId);
    await expect.poll(() => rowIds(page)).toEqual(expectedIds);
    const model = page.locator('td[data-column="model"] button').first();
    const modelName = (await model.textContent()) ?? '';
    await Promise.all([page.waitForURL(/llm\.model/), model.click({ modifiers: ['Shift'] })]);
    expect(new URL(page.url()).searchParams.get('where')).toBe(`user.id = ${user} AND llm.model != ${modelName}`);
    await page.close();
  });

  it('sorts by duration (ties by id) and pages with Load more without repeats', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openList(page);
    await Promise.all([page.waitForURL(/sort=-duration/), page.click('th[data-column="duration"]')]);
    const expectedFirst = await api('sort=-duration&limit=50&since=24h');
    await expect.poll(() => rowIds(page)).toEqual(expectedFirst.traces.map((t) => t.traceId));
    await page.getByTestId('load-more').click();
    await expect.poll(async () => (await rowIds(page)).length).toBe(100);
    const second = await api(`sort=-duration&limit=50&since=24h&cursor=${expectedFirst.nextCursor}`);
    expect(await rowIds(page)).toEqual([...expectedFirst.traces, ...second.traces].map((t) => t.traceId));
    await page.close();
  });

  it('copy link gives an absolute-range URL that opens the same view in a fresh browser context', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await openList(page, `where=${encodeURIComponent('status=error')}&sort=-cost&cols=start,trace,tenant,cost`);
    await page.getByTestId('copy-link').click();
    const link = await page.getByTestId('share-link').inputValue();
    const url = new URL(link);
    expect(url.searchParams.get('since')).toBeNull();
    expect(url.searchParams.get('from')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(url.searchParams.get('where')).toBe('status=error');
    const ids = await rowIds(page);
    const headers = await page.locator('[data-testid="trace-table"] th[data-column]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column')));
    expect(headers).toEqual(['start', 'trace', 'tenant', 'cost']);

    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const other = await fresh.newPage();
    await other.goto(link);
    await other.waitForSelector('[data-testid="trace-table"]');
    expect(await rowIds(other)).toEqual(ids);
    expect(await other.locator('[data-testid="trace-table"] th[data-column]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column')))).toEqual(
      headers,
    );
    await fresh.close();
    await context.close();
  });

  it('keyboard: / focuses the filter, j/k move, Enter opens the trace with its time window', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openList(page, 'where=tenant.id%3Dacme-corp');
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    // Keys work once the page has hydrated; until then a press does nothing, so retry until focused.
    await expect
      .poll(async () => {
        await page.keyboard.press('/');
        return page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
      })
      .toBe('where-input');
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const ids = await rowIds(page);
    await Promise.all([page.waitForURL(/\/traces\//), page.keyboard.press('Enter')]);
    const url = new URL(page.url());
    expect(url.pathname).toBe(`/traces/${ids[0]}`);
    expect(url.searchParams.get('from')).toMatch(/^\d{4}-/);
    expect(url.searchParams.get('where')).toBe('tenant.id=acme-corp');
    await page.close();
  });

  const traceBody = async (id: string) => (await (await fetch(`${app.url}/api/traces/${id}`)).json()) as TraceBody;
  /** Two traces of the list's first page with the same root span and different models, and a third one. */
  const comparablePair = async () => {
    const { traces } = await api('limit=50&since=24h');
    for (const [i, t] of traces.entries()) {
      const j = traces.findIndex((u, k) => k > i && u.rootName === t.rootName && u.llmModel && t.llmModel && u.llmModel !== t.llmModel);
      if (j > 0) return { i, j, k: traces.findIndex((_, k) => k !== i && k !== j), traces };
    }
    throw new Error('the seed has no two comparable traces on the first page');
  };
  const row = (page: Page, index: number) => page.locator('[data-testid="trace-table"] tbody tr').nth(index);

  it('ticking two rows and pressing Compare opens /compare with the spans aligned, deltas and differing values', async () => {
    const { i, j, k, traces } = await comparablePair();
    const [a, b] = [traces[i], traces[j]];
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openList(page);
    expect(await rowIds(page)).toEqual(traces.map((t) => t.traceId));
    // A third tick drops the oldest: tick k, then i and j, and the pair is (i, j).
    for (const index of [k, i, j]) await row(page, index).getByTestId('compare-select').check();
    await expect.poll(() => page.getByTestId('compare-selection').textContent()).toBe('2 of 2 selected');
    expect(await row(page, k).getByTestId('compare-select').isChecked()).toBe(false);
    await Promise.all([page.waitForURL(/\/compare\?/), page.getByTestId('compare-selected').click()]);
    const url = new URL(page.url());
    expect([url.searchParams.get('a'), url.searchParams.get('b')]).toEqual([a.traceId, b.traceId]);

    await page.waitForSelector('[data-testid="compare-table"]');
    expect(await page.getByTestId('compare-head-a').getByTestId('compare-trace-link').textContent()).toBe(a.traceId);
    expect(await page.getByTestId('compare-head-b').getByTestId('compare-trace-link').textContent()).toBe(b.traceId);
    // Every span of each trace is on a row, once: aligned, or marked as only in its trace.
    const [spansA, spansB] = [(await traceBody(a.traceId)).spans, (await traceBody(b.traceId)).spans];
    const count = async (id: string) => Number(await page.getByTestId(id).textContent());
    const [matched, onlyA, onlyB] = [await count('compare-matched'), await count('compare-only-a'), await count('compare-only-b')];
    expect(matched + onlyA).toBe(spansA.length);
    expect(matched + onlyB).toBe(spansB.length);
    const rows = page.getByTestId('compare-row');
    expect(await rows.count()).toBe(matched + onlyA + onlyB);
    expect(await page.locator('[data-testid="compare-row"][data-side="a"]').count()).toBe(onlyA);
    expect(await page.locator('[data-testid="compare-row"][data-side="b"]').count()).toBe(onlyB);
    // The roots align (same service and name); their delta and the differing model are shown.
    const root = rows.first();
    expect(await root.getAttribute('data-side')).toBe('both');
    expect(await root.getAttribute('data-name')).toBe(a.rootName);
    const rootA = spansA.find((s) => !s.parentSpanId);
    const rootB = spansB.find((s) => !s.parentSpanId);
    expect(await root.getByTestId('compare-delta').textContent()).toBe(deltaText((rootB?.durationMs ?? 0) - (rootA?.durationMs ?? 0), rootA?.durationMs ?? 0));
    expect(await root.locator('li[data-field="model"]').textContent()).toBe(`model ${a.llmModel} → ${b.llmModel}`);
    // The LLM spans are named after their model: they pair by service, with both names and the differing values.
    const llm = page.locator(`[data-testid="compare-row"][data-service="plano(llm)"]`);
    expect(await llm.count()).toBe(1);
    expect(await llm.getAttribute('data-side')).toBe('both');
    expect(await llm.getAttribute('data-name')).toBe(`chat ${a.llmModel}`);
    expect(await llm.locator('li[data-field="model"]').textContent()).toBe(`model ${a.llmModel} → ${b.llmModel}`);
    await page.screenshot({ path: `${SCREENSHOTS}/compare.png`, fullPage: true });
    await page.close();
  });

  it('"Compare with…" on a trace page takes a short id, lands on a shareable URL; bad ids are named', async () => {
    const { i, j, traces } = await comparablePair();
    const [a, b] = [traces[i], traces[j]];
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${app.url}/traces/${a.traceId}`);
    await page.locator('[data-testid="compare-with"] summary').click();
    await page.getByTestId('compare-with-input').fill(b.traceId.slice(0, 8));
    await Promise.all([page.waitForURL(/\/compare\?/), page.getByTestId('compare-with-submit').click()]);
    const shared = page.url();
    expect(new URL(shared).searchParams.get('a')).toBe(a.traceId);
    expect(new URL(shared).searchParams.get('b')).toBe(b.traceId.slice(0, 8));
    expect(await page.getByTestId('compare-head-b').getByTestId('compare-trace-link').textContent()).toBe(b.traceId);
    const rowCount = await page.getByTestId('compare-row').count();
    expect(rowCount).toBeGreaterThan(0);
    // The link alone opens the same comparison.
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const other = await fresh.newPage();
    await other.goto(shared);
    expect(await other.getByTestId('compare-row').count()).toBe(rowCount);
    await fresh.close();

    const problem = async (query: string) => {
      await page.goto(`${app.url}/compare?${query}`);
      return page
        .getByTestId('compare-error')
        .locator(':scope > li')
        .evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-problem'), li.textContent]));
    };
    expect(await problem(`a=${a.traceId}&b=deadbeef`)).toEqual([['not_found', 'Trace B: no trace deadbeef was found.']]);
    expect(await problem('a=xyz&b=')).toEqual([
      ['malformed', 'Trace A: xyz is not a trace id (it takes 8 or 32 hex characters).'],
      ['missing', 'Trace B: no id given.'],
    ]);

    // Two traces sharing a short id: the page lists both, each a link to the comparison with that one.
    const twins = ['abcabc01000000000000000000000001', 'abcabc01000000000000000000000002'];
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const res = await fetch(`${app.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: twins.map((traceId, n) => ({
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'twin' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: `00000000000000${n + 1}0`,
                  name: 'GET /twin',
                  kind: 2,
                  startTimeUnixNano: `${nowNs}`,
                  endTimeUnixNano: `${nowNs + 5_000_000n}`,
                },
              ],
            },
          ],
        })),
      }),
    });
    expect(res.status).toBe(200);
    // Summaries follow the append within about a second: wait until the API sees both twins.
    await expect.poll(async () => (await fetch(`${app.url}/api/traces/abcabc01`)).status).toBe(409);
    const ambiguous = await problem(`a=abcabc01&b=${b.traceId}`);
    expect(ambiguous.map(([p]) => p)).toEqual(['ambiguous']);
    expect(ambiguous[0][1]).toMatch(/^Trace A: short id abcabc01 matches 2 traces; pick one below or give the full id\./);
    const candidate = page.getByTestId('compare-error').locator('a').first();
    const candidateId = (await candidate.textContent()) ?? '';
    expect(twins).toContain(candidateId);
    await Promise.all([page.waitForURL(new RegExp(`a=${candidateId}`)), candidate.click()]);
    expect(await page.getByTestId('compare-head-a').getByTestId('compare-trace-link').textContent()).toBe(candidateId);
    await page.close();
  });
});
