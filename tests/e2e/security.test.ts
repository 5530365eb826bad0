/**
 * Script injection through span data, and the security headers, in the built app:
 * spans whose names, service, tenant, user and attribute values are HTML/script
 * payloads are shown as text on every page, nothing of them runs, the pages' CSP
 * (a per-request nonce) reports no violation, and the pages still hydrate and react.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';

const XSS = {
  service: `<img src=x onerror="window.__xss=1">svc`,
  root: `<script>window.__xss=1</script>root`,
  child: `"><svg onload="window.__xss=1">child`,
  tenant: `<b onmouseover="window.__xss=1">acme</b>`,
  user: `javascript:window.__xss=1;<img src=x onerror=window.__xss=1>`,
  model: `<iframe src="javascript:window.__xss=1"></iframe>`,
  error: `</textarea><script>window.__xss=1</script>`,
  key: `<img src=x onerror=window.__xss=1>`,
  template: `{{constructor.constructor('window.__xss=1')()}}`,
};

declare global {
  interface Window {
    __xss?: unknown;
    __csp?: string[];
  }
}

function hostileTrace(traceId: string) {
  const end = BigInt(Date.now() - 30_000) * 1_000_000n;
  const ns = (ms: number) => (end - 2_000_000_000n + BigInt(ms) * 1_000_000n).toString();
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const rootId = randomBytes(8).toString('hex');
  return {
    rootId,
    body: {
      resourceSpans: [
        {
          resource: { attributes: [str('service.name', XSS.service), str('tenant.id', XSS.tenant)] },
          scopeSpans: [
            {
              scope: { name: XSS.template },
              spans: [
                {
                  traceId,
                  spanId: rootId,
                  name: XSS.root,
                  kind: 2,
                  startTimeUnixNano: ns(0),
                  endTimeUnixNano: ns(900),
                  attributes: [
                    str('user.id', XSS.user),
                    str('session.id', XSS.template),
                    str('llm.model', XSS.model),
                    str(XSS.key, XSS.child),
                    { key: 'http.status_code', value: { intValue: '500' } },
                  ],
                  events: [{ timeUnixNano: ns(10), name: XSS.error, attributes: [str('exception.message', XSS.error)] }],
                  status: { code: 2, message: XSS.error },
                },
                {
                  traceId,
                  spanId: randomBytes(8).toString('hex'),
                  parentSpanId: rootId,
                  name: XSS.child,
                  kind: 3,
                  startTimeUnixNano: ns(100),
                  endTimeUnixNano: ns(800),
                  attributes: [str('error.message', XSS.error), str('llm.model', XSS.model), { key: 'llm.usage.total_tokens', value: { intValue: '42' } }],
                },
              ],
            },
          ],
        },
      ],
    },
  };
}

describe('hostile span data and security headers (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;
  let context: BrowserContext;
  const traceId = randomBytes(16).toString('hex');
  let rootId = '';
  const problems: string[] = [];

  beforeAll(async () => {
    app = await startAppServer();
    const trace = hostileTrace(traceId);
    rootId = trace.rootId;
    const res = await fetch(`${app.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(trace.body) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{}');
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Record every CSP violation the page reports, from before its first script.
    await context.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp?.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function open(path: string): Promise<{ page: Page; response: Response }> {
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`${path}: page error ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`${path}: ${m.text()}`);
    });
    const response = await page.goto(`${app.url}${path}`);
    expect(response?.status(), path).toBe(200);
    return { page, response: response! };
  }

  /** Nothing ran, nothing was blocked, every link stays on this origin. */
  async function expectClean(page: Page, label: string): Promise<void> {
    expect(await page.evaluate(() => window.__xss), label).toBeUndefined();
    expect(await page.evaluate(() => window.__csp), label).toEqual([]);
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const href of hrefs) expect(new URL(href).origin, `${label}: ${href}`).toBe(app.url);
    // No payload became markup: no element with an inline handler, no injected img/iframe/b.
    expect(await page.locator('[onerror], [onload], [onmouseover], img[src="x"], iframe, b').count(), label).toBe(0);
    expect(problems, label).toEqual([]);
  }

  /** React has hydrated `selector` (it tags hydrated nodes with its fiber keys). */
  const hydrated = (page: Page, selector: string) =>
    page.waitForFunction((sel) => {
      const el = document.querySelector(sel);
      return !!el && Object.keys(el).some((k) => k.startsWith('__reactFiber'));
    }, selector);

  it('the trace list shows the payloads as text, and its filter bar still works', async () => {
    const { page } = await open('/?since=1h');
    await page.waitForSelector('[data-testid="trace-table"]');
    await hydrated(page, '[data-testid="where-input"]');
    await expect.poll(() => page.getByText(XSS.root, { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.getByText(XSS.service, { exact: false }).count()).toBeGreaterThan(0);
    // Filter through the bar (client-side): the URL and the rows follow.
    const input = page.getByTestId('where-input');
    await input.fill(`name="${XSS.child.replace(/"/g, '\\"')}"`);
    await Promise.all([page.waitForURL(/where=/), input.press('Enter')]);
    await expect
      .poll(() => page.locator('[data-testid="trace-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-trace-id'))))
      .toEqual([traceId]);
    await expectClean(page, 'list');
    await page.close();
  });

  it('the trace page shows names, attributes, events and the error as text; the span panel opens', async () => {
    const { page } = await open(`/traces/${traceId}`);
    await page.waitForSelector('[data-testid="span-row"]');
    await hydrated(page, '[data-testid="span-row"]');
    for (const text of [XSS.root, XSS.child, XSS.service]) {
      await expect.poll(() => page.getByText(text, { exact: false }).count(), { message: text }).toBeGreaterThan(0);
    }
    await page.locator(`[data-testid="span-row"][data-span-id="${rootId}"]`).click();
    const panel = page.getByTestId('span-detail');
    await expect.poll(() => panel.getByTestId('span-detail-name').textContent()).toBe(XSS.root);
    const attributes = panel.getByTestId('span-attributes');
    for (const text of [XSS.user, XSS.model, XSS.key, XSS.child, XSS.template]) {
      await expect.poll(() => attributes.getByText(text, { exact: false }).count(), { message: text }).toBeGreaterThan(0);
    }
    expect(await panel.getByText(XSS.error, { exact: false }).count()).toBeGreaterThan(0);
    // Hovering the tenant and clicking around would fire injected handlers, if there were any.
    await page.getByText(XSS.tenant, { exact: false }).first().hover();
    await expectClean(page, 'trace page');
    await page.close();
  });

  it('the tenant, user and tenants pages render the payloads as text and draw their charts', async () => {
    for (const path of ['/tenants?since=1h', `/tenants/${encodeURIComponent(XSS.tenant)}?since=1h`, `/users/${encodeURIComponent(XSS.user)}?since=1h`]) {
      const { page } = await open(path);
      await page.waitForSelector('[data-testid="dashboard"]');
      // The charts are drawn on the client from /api/metrics: hydration and fetches work under the CSP.
      await page.waitForSelector('[data-testid="chart-requests"] .recharts-bar-rectangle', { timeout: 30_000 });
      await expect
        .poll(() => page.getByText(path.startsWith('/users') ? XSS.user : XSS.tenant, { exact: false }).count(), { message: path })
        .toBeGreaterThan(0);
      await expectClean(page, path);
      await page.close();
    }
  });

  it('pages carry a fresh nonce CSP that Next put on its scripts, and the other security headers', async () => {
    const nonces = new Set<string>();
    for (const path of ['/', `/traces/${traceId}`, '/tenants', '/login', '/no-such-page']) {
      const res = await fetch(`${app.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/(^|; )script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'(;|$)/);
      expect(csp).toMatch(/(^|; )object-src 'none'(;|$)/);
      expect(csp).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
      expect(csp).toMatch(/(^|; )base-uri 'none'(;|$)/);
      expect(csp).not.toMatch(/unsafe-eval/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      nonces.add(nonce);
      const html = await res.text();
      // Every script Next rendered carries this request's nonce.
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonce}"`);
      expectStaticHeaders(res, path);
    }
    expect(nonces.size).toBe(5);
  });

  it('API, OTLP and static responses carry a no-content policy and the same headers', async () => {
    const list = await fetch(`${app.url}/api/traces?since=1h`);
    const otlp = await fetch(`${app.url}/api/traces/${traceId}/otlp`);
    const ingest = await fetch(`${app.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(ingest.status).toBe(415);
    for (const [res, label] of [
      [list, 'list'],
      [otlp, 'otlp'],
      [ingest, 'ingest'],
    ] as const) {
      expect(res.headers.get('content-security-policy'), label).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      expectStaticHeaders(res, label);
    }
    // The download is JSON, not something a browser would sniff into HTML.
    expect(otlp.headers.get('content-type')).toMatch(/^application\/json/);
    const page = await (await fetch(`${app.url}/`)).text();
    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(page)![1];
    expectStaticHeaders(await fetch(`${app.url}${asset}`), asset);
  });
});

function expectStaticHeaders(res: globalThis.Response, label: string): void {
  expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
  expect(res.headers.get('referrer-policy'), label).toBe('same-origin');
  expect(res.headers.get('x-frame-options'), label).toBe('DENY');
  expect(res.headers.get('permissions-policy'), label).toMatch(/camera=\(\), .*microphone=\(\)/);
  expect(res.headers.get('x-powered-by'), label).toBeNull();
}
