/**
 * The trace page end to end: `tracedeck serve` on an embedded database, demo
 * traces from `tracedeck seed`, one big trace (5,000 spans, nested, one orphan)
 * posted as OTLP/JSON, driven in headless Chromium.
 *
 * Screenshots go to tests/e2e/screenshots/trace-*.png (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSpan } from '../../lib/trace/wire';
import { searchHaystack } from '../../lib/trace/search';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';

type Span = StoredSpan;
type TraceBody = { traceId: string; spans: Span[] };
type ListBody = { traces: { traceId: string; spanCount: number; errorCount: number }[] };

const SHOTS = path.join(process.cwd(), 'tests/e2e/screenshots');
const VIEWPORT = { width: 1280, height: 800 };

const BIG_TRACE = 'b16b16b16b16b16b16b16b16b16b16b1';
const BIG_SPANS = 5000;
const ORPHAN = 'f0f0f0f0f0f0f0f0';

/** 5,000 spans: a root, 50 batches, 20 items per batch, 4 steps per item (cut at 4,999), plus one span whose parent never arrives. */
function bigTrace() {
  const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
  const ns = (ms: number) => (t0 + BigInt(Math.round(ms * 1e6))).toString();
  const services = ['loadgen', 'worker-a', 'worker-b', 'db'];
  const byService = new Map<string, unknown[]>(services.map((s) => [s, []]));
  let n = 0;
  const id = () => (++n).toString(16).padStart(16, '0');
  const add = (service: string, span: Record<string, unknown>) => byService.get(service)?.push({ traceId: BIG_TRACE, kind: 1, ...span });
  const rootId = id();
  add('loadgen', {
    spanId: rootId,
    name: '🚩 load test',
    startTimeUnixNano: ns(0),
    endTimeUnixNano: ns(10_000),
    attributes: [{ key: 'tenant.id', value: { stringValue: 'bigco' } }],
  });
  outer: for (let b = 0; b < 50; b++) {
    if (n >= BIG_SPANS - 1) break;
    const batchId = id();
    const bStart = b * 190;
    add('worker-a', {
      spanId: batchId,
      parentSpanId: rootId,
      name: `batch ${b}`,
      startTimeUnixNano: ns(bStart),
      endTimeUnixNano: ns(bStart + 185),
      attributes: [{ key: 'batch', value: { intValue: String(b) } }],
    });
    for (let i = 0; i < 20; i++) {
      if (n >= BIG_SPANS - 1) break outer;
      const itemId = id();
      const iStart = bStart + i * 9;
      add('worker-b', {
        spanId: itemId,
        parentSpanId: batchId,
        name: `item ${b}.${i}`,
        startTimeUnixNano: ns(iStart),
        endTimeUnixNano: ns(iStart + 8),
        attributes: [{ key: 'item', value: { intValue: String(i) } }],
      });
      for (let s = 0; s < 4; s++) {
        if (n >= BIG_SPANS - 1) break outer;
        add('db', {
          spanId: id(),
          parentSpanId: itemId,
          name: `query ${s}`,
          startTimeUnixNano: ns(iStart + s * 2),
          endTimeUnixNano: ns(iStart + s * 2 + 1.5),
          attributes: [{ key: 'db.statement', value: { stringValue: `SELECT ${s}` } }],
        });
      }
    }
  }
  add('worker-a', {
    spanId: ORPHAN,
    parentSpanId: 'dddddddddddddddd',
    name: 'late callback',
    startTimeUnixNano: ns(9_500),
    endTimeUnixNano: ns(9_900),
    attributes: [],
  });
  return {
    resourceSpans: services.map((service) => ({
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: service } },
          { key: 'tenant.id', value: { stringValue: 'bigco' } },
        ],
      },
      scopeSpans: [{ scope: { name: 'e2e' }, spans: byService.get(service) }],
    })),
  };
}

describe('trace page (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;
  let plano: TraceBody; // a 4-span Plano trace
  let failing: TraceBody; // a Plano trace with an error span

  const api = async <T>(pathAndQuery: string) => (await (await fetch(`${app.url}${pathAndQuery}`)).json()) as T;
  const newPage = async (options: { colorScheme?: 'light' | 'dark'; context?: BrowserContext } = {}): Promise<Page> => {
    const context = options.context ?? (await browser.newContext({ viewport: VIEWPORT, colorScheme: options.colorScheme ?? 'light' }));
    return context.newPage();
  };
  const rows = (page: Page) => page.locator('[data-testid="span-row"]');
  const row = (page: Page, spanId: string) => page.locator(`[data-testid="span-row"][data-span-id="${spanId}"]`);
  const panel = (page: Page) => page.locator('[data-testid="span-detail"]');
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `trace-${name}.png`) });

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startAppServer();
    execFileSync(process.execPath, ['bin/tracedeck.mjs', 'seed', '--url', app.url, '--traces', '60', '--seed', '7'], { stdio: 'pipe' });
    const res = await fetch(`${app.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bigTrace()) });
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('rejected');
    const [ok] = (await api<ListBody>('/api/traces?where=service%3Dplano(llm)&where=status!%3Derror&limit=1&since=24h')).traces;
    plano = await api<TraceBody>(`/api/traces/${ok.traceId}`);
    const [bad] = (await api<ListBody>('/api/traces?where=status%3Derror&where=service%3Dplano(llm)&limit=1&since=24h')).traces;
    failing = await api<TraceBody>(`/api/traces/${bad.traceId}`);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const spanOf = (t: TraceBody, service: string) => t.spans.find((s) => s.service === service) as Span;

  it('draws the waterfall: nested rows, bars on a shared time axis, tick labels', async () => {
    expect(plano.spans).toHaveLength(4);
    const page = await newPage();
    await page.goto(`${app.url}/traces/${plano.traceId}`);
    await expect.poll(() => rows(page).count()).toBe(4);
    // Depth follows the parent chain.
    const depthOf = (s: Span): number => {
      const parent = plano.spans.find((p) => p.spanId === s.parentSpanId);
      return parent ? depthOf(parent) + 1 : 0;
    };
    for (const s of plano.spans) expect(await row(page, s.spanId).getAttribute('data-depth')).toBe(String(depthOf(s)));
    const names = await rows(page).evaluateAll((trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(names[0]).toContain('plano(inbound)');
    // The root bar spans (almost) the whole track; every bar starts inside it.
    const boxes = await page
      .locator('[data-testid="span-bar"]')
      .evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect()).map((r) => ({ x: r.x, w: r.width })));
    expect(boxes).toHaveLength(4);
    const root = boxes[0];
    for (const b of boxes.slice(1)) {
      expect(b.x).toBeGreaterThanOrEqual(root.x - 1);
      expect(b.x + b.w).toBeLessThanOrEqual(root.x + root.w + 1);
    }
    const ticks = await page.locator('[data-testid="axis-tick"]').allTextContents();
    expect(ticks[0]).toBe('0');
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    await shot(page, 'light');
    await page.context().close();
  });

  it('shows error spans in red with their message', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/traces/${failing.traceId}`);
    const errors = failing.spans.filter((s) => s.status.code === 2);
    expect(errors.length).toBeGreaterThan(0);
    for (const s of errors) {
      await expect.poll(() => row(page, s.spanId).getAttribute('data-error')).toBe('true');
      const attr = s.attributes['error.message'];
      const message = s.status.message ?? (attr && 'stringValue' in attr ? attr.stringValue : null);
      if (message) expect(await row(page, s.spanId).textContent()).toContain(message);
    }
    const color = await row(page, errors[0].spanId)
      .locator('[data-testid="span-bar"]')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(color).toBe('rgb(214, 51, 108)'); // --error (light)
    await row(page, errors[0].spanId).click();
    await expect.poll(() => panel(page).locator('[data-testid="span-detail-error"]').count()).toBe(1);
    await shot(page, 'error');
    await page.context().close();
  });

  it('selects a span into the panel and the URL; the copied link opens the same span in a new context; Esc closes', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await newPage({ context });
    const llm = spanOf(plano, 'plano(llm)');
    await page.goto(`${app.url}/traces/${plano.traceId}`);
    await row(page, llm.spanId).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('span')).toBe(llm.spanId);
    await expect.poll(() => panel(page).locator('[data-testid="span-detail-name"]').textContent()).toBe(llm.name);
    const attributes = panel(page).locator('[data-testid="span-attributes"]');
    for (const key of Object.keys(llm.attributes)) await expect.poll(() => attributes.locator(`[data-attribute-key="${key}"]`).count()).toBe(1);
    expect(await attributes.textContent()).toContain('llm.model');
    await shot(page, 'selected');

    await page.click('[data-testid="copy-link"]');
    await expect.poll(() => page.locator('[data-testid="copy-link"]').getAttribute('data-state')).toBe('copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(new URL(copied).searchParams.get('span')).toBe(llm.spanId);

    const other = await browser.newContext({ viewport: VIEWPORT });
    const page2 = await other.newPage();
    await page2.goto(copied);
    await expect.poll(() => page2.locator('[data-testid="span-row"][data-selected="true"]').getAttribute('data-span-id')).toBe(llm.spanId);
    await expect.poll(() => panel(page2).locator('[data-testid="span-detail-name"]').textContent()).toBe(llm.name);
    await page2.keyboard.press('Escape');
    await expect.poll(() => panel(page2).count()).toBe(0);
    await expect.poll(() => new URL(page2.url()).searchParams.has('span')).toBe(false);
    await other.close();

    // Keyboard: j/k move the selection; ← collapses an open node, then goes to the parent; → expands.
    const routing = spanOf(plano, 'plano(routing)');
    await page.keyboard.press('k');
    await expect.poll(() => new URL(page.url()).searchParams.get('span')).toBe(routing.spanId);
    await page.keyboard.press('j');
    await expect.poll(() => new URL(page.url()).searchParams.get('span')).toBe(llm.spanId);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => rows(page).count()).toBe(3);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => rows(page).count()).toBe(4);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => new URL(page.url()).searchParams.get('span')).toBe(llm.parentSpanId);
    await context.close();
  });

  it('clicking an attribute value opens the list filtered by it (shift-click: !=)', async () => {
    const llm = spanOf(plano, 'plano(llm)');
    const page = await newPage();
    await page.goto(`${app.url}/traces/${plano.traceId}?span=${llm.spanId}&where=${encodeURIComponent('tenant.id exists')}&since=24h`);
    const attr = llm.attributes['llm.model'];
    const model = attr && 'stringValue' in attr ? attr.stringValue : '';
    const value = panel(page).locator('[data-attribute-key="llm.model"] [data-testid="attribute-value"]');
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), value.click()]);
    expect(new URL(page.url()).searchParams.getAll('where')).toEqual(['tenant.id exists', `llm.model=${model}`]);
    expect(new URL(page.url()).searchParams.get('since')).toBe('24h');
    await page.goto(`${app.url}/traces/${plano.traceId}?span=${llm.spanId}`);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), value.click({ modifiers: ['Shift'] })]);
    expect(new URL(page.url()).searchParams.getAll('where')).toEqual([`llm.model!=${model}`]);
    await page.context().close();
  });

  it('highlights exactly the spans matching the where of the URL, and shows a bad filter without failing', async () => {
    const llm = spanOf(plano, 'plano(llm)');
    const page = await newPage();
    await page.goto(`${app.url}/traces/${plano.traceId}?where=service=plano(llm)&from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`);
    await expect.poll(() => rows(page).count()).toBe(4);
    const marked = await page
      .locator('[data-testid="span-row"][data-where-match="true"]')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-span-id')));
    expect(marked).toEqual([llm.spanId]);
    expect(await page.locator('[data-testid="where-match-count"]').textContent()).toBe('1');
    const back = new URL((await page.locator('[data-testid="back-to-list"]').getAttribute('href')) ?? '', app.url);
    expect(back.searchParams.getAll('where')).toEqual(['service=plano(llm)']);
    expect(back.searchParams.get('from')).toBe('2020-01-01T00:00:00Z');
    expect(back.searchParams.get('to')).toBe('2100-01-01T00:00:00Z');
    await shot(page, 'where');

    await page.goto(`${app.url}/traces/${plano.traceId}?where=${encodeURIComponent('duration>fast')}`);
    await expect.poll(() => page.locator('[data-testid="where-error"]').textContent()).toMatch(/duration/);
    expect(await rows(page).count()).toBe(4);
    await page.context().close();
  });

  it('folds Plano’s internal spans into their parents with a count, keeps the switch in the URL, and `tracedeck trace --fold-internal` agrees', async () => {
    const page = await newPage();
    const inbound = spanOf(plano, 'plano(inbound)');
    const llm = spanOf(plano, 'plano(llm)');
    await page.goto(`${app.url}/traces/${plano.traceId}`);
    await expect.poll(() => rows(page).count()).toBe(4);
    const toggle = page.getByTestId('toggle-fold-internal');
    expect(await toggle.textContent()).toBe('Fold internal (2)');
    await toggle.click();
    await expect.poll(() => new URL(page.url()).searchParams.get('fold')).toBe('true');
    await expect.poll(() => rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-span-id')))).toEqual([inbound.spanId, llm.spanId]);
    expect(await row(page, inbound.spanId).getByTestId('folded-count').textContent()).toBe('+1 internal');
    expect(await row(page, llm.spanId).getByTestId('folded-count').textContent()).toBe('+1 internal');
    expect(await page.getByTestId('trace-span-count').textContent()).toBe('4 (2 internal folded)');
    await shot(page, 'folded');
    // The URL alone brings the folded view back.
    const again = await newPage();
    await again.goto(page.url());
    await expect.poll(() => rows(again).count()).toBe(2);
    await again.close();
    await toggle.click();
    await expect.poll(() => rows(page).count()).toBe(4);
    expect(new URL(page.url()).searchParams.has('fold')).toBe(false);
    await page.close();

    const cli = (extra: string[]) =>
      execFileSync(process.execPath, ['bin/tracedeck.mjs', 'trace', plano.traceId, '--url', app.url, ...extra], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
    const folded = cli(['--fold-internal']);
    expect(folded).not.toContain('plano(routing)');
    expect(folded).toMatch(/plano\(llm\) chat .* \(\+1 internal\)$/m);
    expect(folded).toContain('&fold=true');
    expect(cli([])).toContain('plano(routing)');
  });

  it('collapses a node (its descendants disappear, the URL keeps it) and expands it again', async () => {
    const page = await newPage();
    const root = plano.spans.find((s) => s.parentSpanId === null) as Span;
    await page.goto(`${app.url}/traces/${plano.traceId}`);
    await expect.poll(() => rows(page).count()).toBe(4);
    await row(page, root.spanId).locator('[data-testid="span-toggle"]').click();
    await expect.poll(() => rows(page).count()).toBe(1);
    await expect.poll(() => new URL(page.url()).searchParams.get('collapsed')).toBe(root.spanId);
    await page.reload();
    await expect.poll(() => rows(page).count()).toBe(1);
    await row(page, root.spanId).click();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => rows(page).count()).toBe(4);
    await page.click('[data-testid="collapse-all"]');
    await expect.poll(() => rows(page).count()).toBe(1);
    await page.click('[data-testid="expand-all"]');
    await expect.poll(() => rows(page).count()).toBe(4);
    // The short id redirects to the full one and keeps the query.
    await page.goto(`${app.url}/traces/${plano.traceId.slice(0, 8)}?span=${root.spanId}&where=status%3Derror`);
    expect(new URL(page.url()).pathname).toBe(`/traces/${plano.traceId}`);
    expect(new URL(page.url()).searchParams.get('span')).toBe(root.spanId);
    expect(new URL(page.url()).searchParams.get('where')).toBe('status=error');
    await page.context().close();
  });

  it('search and critical path highlight spans; looks right in dark mode', async () => {
    const page = await newPage({ colorScheme: 'dark' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${app.url}/traces/${failing.traceId}`);
    await expect.poll(() => rows(page).count()).toBe(failing.spans.length);
    await page.fill('[data-testid="trace-search"]', 'LLM');
    const expected = failing.spans.filter((s) => searchHaystack(s).includes('llm')).length;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(failing.spans.length + 1);
    await expect.poll(() => page.locator('[data-testid="span-row"][data-search="match"]').count()).toBe(expected);
    await page.click('[data-testid="toggle-critical-path"]');
    await expect.poll(() => page.locator('[data-testid="span-row"][data-critical="true"]').count()).toBeGreaterThan(0);
    await expect.poll(() => new URL(page.url()).searchParams.get('cp')).toBe('true');
    const llm = spanOf(failing, 'plano(llm)');
    await row(page, llm.spanId).click();
    await expect.poll(() => panel(page).count()).toBe(1);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(18, 21, 28)'); // --bg (dark)
    await shot(page, 'dark');
    await page.fill('[data-testid="trace-search"]', '');
    await page.keyboard.press('Escape');
    await page.locator('body').press('Escape');
    await expect.poll(() => panel(page).count()).toBe(0);
    await shot(page, 'dark-overview');
    await page.context().close();
  });

  it('renders the 5,000-span trace virtualized, and scrolling to the bottom shows the last span', async () => {
    const page = await newPage();
    // Record when the skeleton and the first span rows enter the DOM (the HTML streams in).
    await page.addInitScript(() => {
      const w = window as unknown as { __skeletonAt?: number; __rowsAt?: number };
      new MutationObserver((_, observer) => {
        if (w.__skeletonAt === undefined && document.querySelector('[data-testid="trace-skeleton"]')) w.__skeletonAt = performance.now();
        if (document.querySelector('[data-testid="span-row"]')) {
          w.__rowsAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const started = Date.now();
    await page.goto(`${app.url}/traces/${BIG_TRACE}`, { waitUntil: 'commit' });
    await page.waitForSelector('[data-testid="span-row"]');
    const loadedMs = Date.now() - started;
    await page.waitForLoadState('load');
    const marks = await page.evaluate(() => {
      const w = window as unknown as { __skeletonAt?: number; __rowsAt?: number };
      return { skeleton: w.__skeletonAt ?? null, rows: w.__rowsAt ?? null };
    });
    const firstRowsMs = marks.rows ?? NaN;
    const nav = await page.evaluate(() => {
      const [n] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return {
        ttfb: n.responseStart,
        responseEnd: n.responseEnd,
        domContentLoaded: n.domContentLoadedEventEnd,
        load: n.loadEventEnd,
        fcp: fcp?.startTime ?? null,
        bytes: n.encodedBodySize,
        decoded: n.decodedBodySize,
      };
    });
    // Interactive: a click selects (hydrated).
    const clickStart = Date.now();
    await rows(page).nth(3).click();
    await expect.poll(() => page.locator('[data-testid="span-row"][data-selected="true"]').count(), { interval: 20 }).toBe(1);
    const interactiveMs = await page.evaluate(() => performance.now());
    console.log(
      `[trace-page] 5,000-span trace: skeleton at ${marks.skeleton?.toFixed(0)} ms, first rows in the DOM at ${firstRowsMs.toFixed(0)} ms after navigation start (goto→rows seen by the test ${loadedMs} ms); ` +
        `TTFB ${nav.ttfb.toFixed(0)} ms, HTML done ${nav.responseEnd.toFixed(0)} ms (${(nav.bytes / 1024).toFixed(0)} KiB gzip, ${(nav.decoded / 1024).toFixed(0)} KiB), FCP ${nav.fcp?.toFixed(0)} ms, ` +
        `DOMContentLoaded ${nav.domContentLoaded.toFixed(0)} ms, interactive (click selects) by ${interactiveMs.toFixed(0)} ms (click took ${Date.now() - clickStart} ms)`,
    );
    expect(await page.locator('[data-testid="trace-span-count"]').textContent()).toBe('5,000');
    const inDom = await rows(page).count();
    console.log(`[trace-page] rows in the DOM: ${inDom}`);
    expect(inDom).toBeLessThan(200);
    expect(await rows(page).first().textContent()).toContain('🚩 load test');
    await shot(page, 'big');

    // Scroll to the bottom: the last span (the orphan, a root starting last) is there, marked.
    const scrollStart = await page.evaluate(() => performance.now());
    await page.locator('[data-testid="waterfall"] > div').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect.poll(() => row(page, ORPHAN).count(), { interval: 20 }).toBe(1);
    console.log(`[trace-page] scroll to bottom → last row rendered in ${((await page.evaluate(() => performance.now())) - scrollStart).toFixed(0)} ms`);
    await expect.poll(() => row(page, ORPHAN).isVisible()).toBe(true);
    expect(await row(page, ORPHAN).textContent()).toContain('parent missing');
    expect(await rows(page).count()).toBeLessThan(200);
    await shot(page, 'big-bottom');

    // Collapse all / expand all stay quick on 5,000 spans.
    const t0 = Date.now();
    await page.click('[data-testid="collapse-all"]');
    await expect.poll(() => rows(page).count(), { interval: 20 }).toBe(2); // the root and the orphan
    const t1 = Date.now();
    await page.click('[data-testid="expand-all"]');
    await expect.poll(() => rows(page).count(), { interval: 20 }).toBeGreaterThan(20);
    console.log(`[trace-page] collapse all ${t1 - t0} ms, expand all ${Date.now() - t1} ms (incl. polling)`);
    await page.context().close();
  });

  it('downloads the trace as OTLP JSON', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/traces/${plano.traceId}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-otlp"]')]);
    expect(download.suggestedFilename()).toBe(`trace-${plano.traceId}.json`);
    const doc = JSON.parse(fs.readFileSync((await download.path()) as string, 'utf8')) as {
      resourceSpans: { scopeSpans: { spans: { traceId: string; spanId: string; attributes: { key: string }[] }[] }[] }[];
    };
    const spans = doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.map((s) => s.spanId).sort()).toEqual(plano.spans.map((s) => s.spanId).sort());
    expect(spans.every((s) => s.traceId === plano.traceId && Array.isArray(s.attributes))).toBe(true);
    const big = await api<{ resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] }>(`/api/traces/${BIG_TRACE}/otlp`);
    expect(big.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))).toHaveLength(BIG_SPANS);
    await page.context().close();
  });
});
