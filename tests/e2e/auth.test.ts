/**
 * Auth end to end: `tracedeck serve` with an ingest key, an all-tenants read token
 * and a tenant-scoped key; demo data loaded by `tracedeck seed --token`; headless
 * Chromium signing in through /login. A scoped session sees only its tenant, and a
 * link copied from an unscoped session shows it no foreign data.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';

const INGEST_KEY = 'e2e-ingest-key-4b1d9f27';
const ADMIN_TOKEN = 'e2e-read-token-8c3e5a61';
const ACME_KEY = 'e2e-acme-scoped-key-2f7a';

type ListBody = { traces: { traceId: string; tenantId: string }[] };

describe('auth (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startAppServer({
      TRACEDECK_INGEST_KEYS: INGEST_KEY,
      TRACEDECK_READ_TOKENS: ADMIN_TOKEN,
      TRACEDECK_TENANT_SCOPED_KEYS: `${ACME_KEY}=acme-corp`,
    });
    await promisify(execFile)(process.execPath, [
      'bin/tracedeck.mjs',
      'seed',
      '--url',
      app.url,
      '--traces',
      '120',
      '--seed',
      '4',
      '--hours',
      '6',
      '--token',
      INGEST_KEY,
    ]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const api = async (query: string, token: string) =>
    (await (await fetch(`${app.url}/api/traces?${query}`, { headers: { authorization: `Bearer ${token}` } })).json()) as ListBody;
  const rowIds = (page: Page) => page.locator('[data-testid="trace-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-trace-id')));
  const hydrated = (page: Page, selector: string) =>
    page.waitForFunction((sel) => {
      const el = document.querySelector(sel);
      return !!el && Object.keys(el).some((k) => k.startsWith('__reactFiber'));
    }, selector);
  const waitForList = async (page: Page) => {
    await page.waitForSelector('[data-testid="trace-table"], [data-testid="list-empty"], [data-testid="list-error"]');
    await hydrated(page, '[data-testid="where-input"]');
  };

  /** A fresh browser session signed in with `token` through the /login form, starting from `path`. */
  async function signIn(token: string, path = '/'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const first = await page.goto(`${app.url}${path}`);
    expect(first?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe(path);
    await hydrated(page, '[data-testid="login-token"]');
    await page.getByTestId('login-token').fill(token);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByTestId('login-submit').click()]);
    return { context, page };
  }

  it('without a token the API answers 401 and pages send the browser to /login', async () => {
    expect((await fetch(`${app.url}/api/traces`)).status).toBe(401);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/tenants?since=6h`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/tenants?since=6h');
    await hydrated(page, '[data-testid="login-token"]');
    await page.getByTestId('login-token').fill('not-a-valid-token-at-all');
    await Promise.all([page.waitForURL(/error=invalid/), page.getByTestId('login-submit').click()]);
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/not valid/);
    expect(page.url()).not.toContain('not-a-valid-token');
    await context.close();
  });

  it('a scoped token signs in (HttpOnly cookie, no token in any URL) and sees only its tenant', async () => {
    const { context, page } = await signIn(ACME_KEY, '/?since=24h');
    await waitForList(page);
    expect(page.url()).not.toContain(ACME_KEY);
    const cookie = (await context.cookies()).find((c) => c.name === 'tracedeck_token');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('tracedeck_token');
    await expect.poll(() => page.getByTestId('auth-status').textContent()).toContain('acme-corp');

    const expected = await api('where=tenant.id%3Dacme-corp&limit=50&since=24h', ADMIN_TOKEN);
    expect(expected.traces.length).toBeGreaterThan(0);
    expect(await rowIds(page)).toEqual(expected.traces.map((t) => t.traceId));

    // The tenant dropdown lists its tenant only.
    const select = page.getByTestId('tenant-select');
    await expect.poll(async () => (await select.locator('option').allTextContents()).join('|')).toMatch(/acme-corp/);
    const options = await select.locator('option').allTextContents();
    expect(options.filter((o) => !/all tenants/i.test(o)).every((o) => o.includes('acme-corp'))).toBe(true);

    // Typing another tenant's filter finds nothing.
    await page.getByTestId('where-input').fill('tenant.id=globex');
    await Promise.all([page.waitForURL(/globex/), page.getByTestId('where-input').press('Enter')]);
    await page.waitForSelector('[data-testid="list-empty"]');
    expect(await rowIds(page)).toEqual([]);

    // The chart pages: only its tenant in the tenant table; another tenant's page is not found.
    await page.goto(`${app.url}/tenants?since=24h`);
    await page.waitForSelector('[data-testid="tenant-table"]');
    const groups = await page.locator('[data-testid="tenant-table"] [data-testid="group-link"]').allTextContents();
    expect(groups.map((g) => g.trim())).toEqual(['acme-corp']);
    expect((await page.goto(`${app.url}/tenants/globex?since=24h`))?.status()).toBe(404);
    await context.close();
  });

  it('a link copied from an unscoped session, opened with the scoped token, shows no foreign data', async () => {
    const admin = await signIn(ADMIN_TOKEN, '/?where=tenant.id%3Dglobex&since=24h');
    await waitForList(admin.page);
    const globex = await api('where=tenant.id%3Dglobex&limit=50&since=24h', ADMIN_TOKEN);
    expect(globex.traces.length).toBeGreaterThan(0);
    expect(await rowIds(admin.page)).toEqual(globex.traces.map((t) => t.traceId));
    await admin.page.getByTestId('copy-link').click();
    const listLink = await admin.page.getByTestId('share-link').inputValue();
    expect(listLink).toContain('globex');
    expect(listLink).not.toContain(ADMIN_TOKEN);
    const traceLink = `${app.url}/traces/${globex.traces[0].traceId}?where=tenant.id%3Dglobex`;
    expect((await admin.page.goto(traceLink))?.status()).toBe(200);
    await admin.context.close();

    const scoped = await signIn(ACME_KEY, new URL(listLink).pathname + new URL(listLink).search);
    await waitForList(scoped.page);
    expect(new URL(scoped.page.url()).searchParams.get('where')).toBe(new URL(listLink).searchParams.get('where'));
    expect(await rowIds(scoped.page)).toEqual([]);
    await scoped.page.waitForSelector('[data-testid="list-empty"]');
    // Nothing of globex reached the page beyond the filter text it was given.
    const html = await scoped.page.content();
    for (const t of globex.traces) expect(html).not.toContain(t.traceId);

    const response = await scoped.page.goto(traceLink);
    expect(response?.status()).toBe(404);
    expect(await scoped.page.locator('[data-testid="trace-view"]').count()).toBe(0);
    // The same page with the admin's session shows the trace: it is the scope that hides it.
    expect((await fetch(`${app.url}/api/traces/${globex.traces[0].traceId}`, { headers: { authorization: `Bearer ${ACME_KEY}` } })).status).toBe(404);
    await scoped.context.close();
  });
});
