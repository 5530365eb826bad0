/**
 * The chart pages end to end: `tracedeck serve` (built app, embedded database)
 * with TRACEDECK_SAMPLING=plano=20, demo data from `tracedeck seed`, and
 * headless Chromium: /tenants' table against the API, a tenant, a chart bar →
 * the filtered trace list, a user, and the "no recognised keys" notice.
 * Screenshots: tests/e2e/screenshots/charts-*.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsResponse } from '../../lib/metrics/types';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';

const SCREENSHOTS = 'tests/e2e/screenshots';
const VIEWPORT = { width: 1280, height: 900 };

type ListBody = { traces: { traceId: string; tenantId: string; llmModel: string | null }[] };

/** One OTLP/JSON span with no model, token or cost attribute. */
function plainSpan(tenant: string, i: number, atMs: number) {
  const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
  return {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing-api' } }] },
    scopeSpans: [
      {
        scope: { name: 'e2e' },
        spans: [
          {
            traceId: `e2e0${hex(i, 28)}`,
            spanId: `e2e0${hex(i, 12)}`,
            name: 'GET /invoices',
            kind: 2,
            startTimeUnixNano: `${BigInt(atMs) * 1_000_000n}`,
            endTimeUnixNano: `${BigInt(atMs + 40 + i) * 1_000_000n}`,
            attributes: [
              { key: 'tenant.id', value: { stringValue: tenant } },
              { key: 'http.status_code', value: { intValue: '200' } },
            ],
          },
        ],
      },
    ],
  };
}

describe('tenant and user charts (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startAppServer({ TRACEDECK_SAMPLING: 'plano=20' });
    execFileSync(process.execPath, ['bin/tracedeck.mjs', 'seed', '--url', app.url, '--traces', '400', '--seed', '9', '--hours', '6'], { stdio: 'pipe' });
    const now = Date.now();
    const res = await fetch(`${app.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [0, 1, 2, 3, 4].map((i) => plainSpan('plain-tenant', i, now - 3_600_000 + i * 60_000)) }),
    });
    expect(res.status).toBe(200);
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const metrics = async (query: string) => (await (await fetch(`${app.url}/api/metrics?${query}`)).json()) as MetricsResponse;
  const open = async (page: Page, path: string) => {
    await page.goto(`${app.url}${path}`);
    await page.waitForSelector('[data-testid="dashboard"]');
    // Charts measure their box after hydration.
    await page.waitForSelector('[data-testid="chart-requests"] .recharts-bar-rectangle', { timeout: 30_000 });
  };
  const screenshot = async (page: Page, name: string) => {
    await page.screenshot({ path: `${SCREENSHOTS}/charts-${name}.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${SCREENSHOTS}/charts-${name}-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  };

  it('/tenants: the table totals are the API totals, with sampling estimates marked ≈', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await open(page, '/tenants');
    const table = page.getByTestId('tenant-table');
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        tenant: tr.getAttribute('data-group'),
        requests: tr.querySelector('[data-column="requests"]')?.textContent ?? '',
        estimated: tr.querySelector('[data-column="est-requests"]')?.textContent ?? '',
        cost: tr.querySelector('[data-column="cost"]')?.getAttribute('data-value') ?? null,
        tokens: tr.querySelector('[data-column="tokens"]')?.getAttribute('data-value') ?? null,
      })),
    );
    const api = await metrics('group_by=tenant.id&top=100&series=false&since=24h');
    expect(rows.map((r) => r.tenant)).toEqual(api.groups.map((g) => g.key));
    for (const [i, g] of api.groups.entries()) {
      expect(Number(rows[i].requests.replace(/,/g, '')), `${g.key} requests`).toBe(g.totals.requests);
      // A tenant without cost or token keys has no figure (null), not 0.
      if (g.totals.costUsd === null || g.totals.costUsd === undefined) expect(rows[i].cost, `${g.key} cost`).toBeNull();
      else expect(Number(rows[i].cost), `${g.key} cost`).toBeCloseTo(g.totals.costUsd, 9);
      expect(rows[i].tokens === null ? null : Number(rows[i].tokens), `${g.key} tokens`).toBe(g.totals.totalTokens);
    }
    // plano=20: every seeded request stands for five.
    const acme = rows.find((r) => r.tenant === 'acme-corp');
    expect(acme?.estimated).toBe(`≈ ${(Number(acme?.requests.replace(/,/g, '')) * 5).toLocaleString('en-US')}`);
    expect(await page.getByTestId('summary-requests').textContent()).toMatch(/≈\s*[\d,]+\s*est\./);
    expect(await page.getByTestId('sampling-note').textContent()).toMatch(/estimates/);
    await screenshot(page, 'tenants');
    await page.close();
  });

  it('a tenant link opens its page; a bar click opens the trace list filtered to that bucket and model', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await open(page, '/tenants');
    await Promise.all([
      page.waitForURL(/\/tenants\/acme-corp/),
      page.getByTestId('tenant-table').locator('a[data-testid="group-link"]', { hasText: 'acme-corp' }).click(),
    ]);
    await page.waitForSelector('[data-testid="chart-requests"] .recharts-bar-rectangle', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="user-table"]');
    expect(await page.getByTestId('model-table').locator('tbody tr').count()).toBeGreaterThan(1);
    expect(await page.getByTestId('slowest-traces').locator('a[data-testid="trace-link"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'tenant');

    // The tallest bar segment of the requests chart.
    const bars = page.locator('[data-testid="chart-requests"] .recharts-bar-rectangle path');
    const boxes = await bars.evaluateAll((paths) => paths.map((p) => p.getBoundingClientRect().height));
    const tallest = boxes.indexOf(Math.max(...boxes));
    await page.mouse.move(0, 0);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), bars.nth(tallest).click({ force: true })]);
    const url = new URL(page.url());
    const where = url.searchParams.get('where') ?? '';
    expect(where).toMatch(/^tenant\.id = acme-corp AND llm\.model = \S+$/);
    const from = url.searchParams.get('from') ?? '';
    const to = url.searchParams.get('to') ?? '';
    expect(from).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Date.parse(to) - Date.parse(from)).toBeGreaterThan(0);
    expect(Date.parse(to) - Date.parse(from)).toBeLessThanOrEqual(15 * 60_000);

    // The list shows exactly the requests the bar counted.
    await page.waitForSelector('[data-testid="trace-table"]');
    await expect.poll(() => page.getByTestId('where-input').inputValue()).toBe(where);
    const ids = await page.locator('[data-testid="trace-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-trace-id')));
    const q = new URLSearchParams({ where, from, to, limit: '1000' });
    const list = (await (await fetch(`${app.url}/api/traces?${q}`)).json()) as ListBody;
    expect(ids).toEqual(list.traces.map((t) => t.traceId));
    const model = where.split('llm.model = ')[1];
    expect(list.traces.every((t) => t.tenantId === 'acme-corp' && t.llmModel === model)).toBe(true);
    const counted = await metrics(`${new URLSearchParams({ from, to, group_by: 'llm.model', series: 'false', where: 'tenant.id=acme-corp' })}`);
    expect(counted.groups.find((g) => g.key === model)?.totals.requests).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(0);
    await page.screenshot({ path: `${SCREENSHOTS}/charts-drilldown-list.png` });
    await page.close();
  });

  it('an error bar adds the error term; a latency point keeps the group-less bucket', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await open(page, '/tenants');
    const errorBar = page.locator('[data-testid="chart-errors"] .recharts-bar-rectangle path').first();
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), errorBar.click({ force: true })]);
    expect(new URL(page.url()).searchParams.get('where')).toMatch(/^tenant\.id = \S+ AND \(status = error OR http\.status_code >= 500\)$/);
    await page.waitForSelector('[data-testid="trace-table"]');

    // A point of the latency chart: the bucket's range, no group term.
    await open(page, '/tenants?where=tenant.id%3Dglobex');
    const plot = page.locator('[data-testid="chart-latency"] .recharts-surface');
    const box = await plot.boundingBox();
    if (!box) throw new Error('no latency chart');
    await page.mouse.move(box.x + box.width * 0.85, box.y + box.height * 0.5);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.mouse.click(box.x + box.width * 0.85, box.y + box.height * 0.5)]);
    const url = new URL(page.url());
    expect(url.searchParams.get('where')).toBe('tenant.id=globex');
    expect(Date.parse(url.searchParams.get('to') ?? '') - Date.parse(url.searchParams.get('from') ?? '')).toBeLessThanOrEqual(15 * 60_000);
    await page.close();
  });

  it('the stack toggle and the filter bar keep their state in the URL', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await open(page, '/tenants');
    await Promise.all([page.waitForURL(/by=model/), page.getByTestId('stack-model').click()]);
    await expect.poll(() => page.getByTestId('legend').textContent()).toMatch(/gpt-4o-mini/);
    const input = page.getByTestId('where-input');
    await input.fill('http.status_code>=500');
    await Promise.all([page.waitForURL(/status_code/), input.press('Enter')]);
    const url = new URL(page.url());
    expect(url.searchParams.get('by')).toBe('model');
    expect(url.searchParams.get('where')).toBe('http.status_code>=500');
    const api = await metrics('where=http.status_code>=500&series=false&since=24h');
    await expect
      .poll(async () => (await page.getByTestId('summary-requests').textContent()) ?? '')
      .toMatch(new RegExp(`^Requests${api.totals.requests.toLocaleString('en-US')}≈`));
    await page.close();
  });

  it('a user page lists the sessions of the user', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await open(page, '/tenants/acme-corp');
    const firstUser = page.getByTestId('user-table').locator('a[data-testid="group-link"]').first();
    const user = (await firstUser.textContent()) ?? '';
    await Promise.all([page.waitForURL(new RegExp(`/users/${user}`)), firstUser.click()]);
    await page.waitForSelector('[data-testid="session-table"]');
    const sessions = await page
      .getByTestId('session-table')
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-group')));
    const api = await metrics(`where=user.id=${user}&group_by=session.id&series=false&top=100&since=24h`);
    expect(sessions).toEqual(api.groups.map((g) => g.key));
    expect(sessions.every((s) => s?.startsWith(`sess_${user}_`))).toBe(true);
    await page.waitForSelector('[data-testid="chart-requests"] .recharts-bar-rectangle', { timeout: 30_000 });
    await screenshot(page, 'user');
    await page.close();
  });

  it('a tenant whose spans carry no model, token or cost key is told so instead of charted as zeros', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await open(page, '/tenants/plain-tenant');
    expect(await page.getByTestId('chart-tokens-notice').textContent()).toMatch(/No request in range carries a recognised token key/);
    expect(await page.getByTestId('chart-cost-notice').textContent()).toMatch(/recognised cost key/);
    expect(await page.getByTestId('no-model-note').textContent()).toMatch(/recognised model key/);
    expect(await page.locator('[data-testid="chart-tokens"] .recharts-surface').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/charts-no-llm-keys.png`, fullPage: true });
    await page.close();
  });
});
