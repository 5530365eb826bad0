/**
 * /explore end to end: `tracedeck serve` (built app, embedded database) loaded by
 * `tracedeck seed`, driven in headless Chromium: the query box's autocomplete (keys and
 * aggregate names), the answer's table and chart against GET /api/query, the URL state,
 * a stepped series as lines, a group row → the trace list of that group and range, and
 * a bad query underlined before anything is sent. Screenshots: tests/e2e/screenshots/explore-*.png.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DifferencesResponse } from '../../lib/query/heatmap';
import type { QueryResponse } from '../../lib/query/response';
import { checkWhere } from '../../lib/where';
import type { TraceSummary } from '../../lib/trace/wire';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';

const SCREENSHOTS = 'tests/e2e/screenshots';

describe('/explore (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startAppServer();
    await promisify(execFile)(process.execPath, ['bin/tracedeck.mjs', 'seed', '--url', app.url, '--traces', '150', '--seed', '5', '--hours', '6']);
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const api = async (params: Record<string, string>) => (await (await fetch(`${app.url}/api/query?${new URLSearchParams(params)}`)).json()) as QueryResponse;
  const hydrated = (page: Page) =>
    page.waitForFunction(() => {
      const input = document.querySelector('[data-testid="where-input"]');
      return !!input && Object.keys(input).some((k) => k.startsWith('__reactFiber'));
    });
  const open = async (page: Page, query = '') => {
    await page.goto(`${app.url}/explore${query ? `?${query}` : ''}`);
    await page.waitForSelector('[data-testid="explore"]');
    await hydrated(page);
  };
  const tableRows = (page: Page) =>
    page.locator('[data-testid="explore-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const suggestions = (page: Page) => page.locator('[data-testid="where-suggestions"] [role="option"]').allTextContents();

  it('autocompletes keys and aggregate names, applies the query into the URL, and shows the API answer as bars and a table', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await open(page);
    await page.getByTestId('explore-empty').waitFor();
    const input = page.getByTestId('where-input');
    await input.click();
    await input.pressSequentially('| by(tenant.i');
    await expect.poll(() => suggestions(page)).toEqual([expect.stringMatching(/^tenant\.id/)]);
    await input.press('Tab');
    await expect.poll(() => input.inputValue()).toBe('| by(tenant.id ');
    await input.pressSequentially(') p9');
    await expect.poll(() => suggestions(page)).toEqual([expect.stringMatching(/^p90\(/), expect.stringMatching(/^p95\(/), expect.stringMatching(/^p99\(/)]);
    await input.press('ArrowDown');
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('| by(tenant.id ) p95(');
    await input.pressSequentially('dur');
    await expect.poll(() => suggestions(page)).toContain('durationintrinsic');
    await input.fill('| by(tenant.id) count(), p95(duration)');
    await Promise.all([page.waitForURL(/q=/), input.press('Enter')]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('| by(tenant.id) count(), p95(duration)');

    const answer = await api({ q: '| by(tenant.id) count(), p95(duration)', since: '24h' });
    await page.getByTestId('explore-table').waitFor();
    const rows = await tableRows(page);
    expect(rows.map((r) => [r[0], Number(r[1]!.replace(/,/g, ''))])).toEqual(answer.rows.map((r) => [r[0], r[1]]));
    expect(rows.reduce((sum, r) => sum + Number(r[1]!.replace(/,/g, '')), 0)).toBe(150);
    await page.waitForSelector('[data-testid="explore-chart"][data-shape="bars"] .recharts-bar-rectangle');
    expect(await page.locator('[data-testid="explore-chart"] .recharts-bar-rectangle').count()).toBe(answer.rows.length);
    await page.screenshot({ path: `${SCREENSHOTS}/explore-bars.png`, fullPage: true });
    await page.close();
  });

  it('a group row opens the trace list filtered by that group over the same range', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const q = 'http.status_code>=400 | by(llm.model) count()';
    await open(page, new URLSearchParams({ q, since: '24h' }).toString());
    await page.getByTestId('explore-table').waitFor();
    const rows = await tableRows(page);
    const index = rows.findIndex((r) => r[0] !== '(none)' && r[0] !== 'other');
    expect(index).toBeGreaterThanOrEqual(0);
    const [model, count] = rows[index];
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByTestId('explore-row-link').nth(index).click()]);
    const url = new URL(page.url());
    expect(url.searchParams.get('where')).toBe(`http.status_code >= 400 AND llm.model = ${model}`);
    expect(url.searchParams.get('from')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(url.searchParams.get('to')).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The list behind the link holds exactly the requests the row counted.
    const listed = ((await (await fetch(`${app.url}/api/traces?${url.searchParams}&limit=1000`)).json()) as { traces: TraceSummary[] }).traces;
    expect(listed).toHaveLength(Number(count));
    for (const t of listed) expect(t.llmModel).toBe(model);
    await page.waitForSelector('[data-testid="trace-table"]');
    await page.close();
  });

  it('a step draws one line per group over time and stays in the URL', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await open(page, new URLSearchParams({ q: '| by(tenant.id) count()', since: '24h' }).toString());
    await page.getByTestId('explore-table').waitFor();
    await Promise.all([page.waitForURL(/step=1h/), page.getByTestId('explore-step').selectOption('1h')]);
    await page.waitForSelector('[data-testid="explore-chart"][data-shape="lines"] .recharts-line');
    const answer = await api({ q: '| by(tenant.id) count()', since: '24h', step: '1h' });
    const tenants = new Set(answer.rows.map((r) => r[1]));
    expect(await page.locator('[data-testid="explore-chart"] .recharts-line').count()).toBe(tenants.size);
    expect((await tableRows(page)).length).toBe(answer.rows.length);
    expect(new URL(page.url()).searchParams.get('q')).toBe('| by(tenant.id) count()');
    await page.screenshot({ path: `${SCREENSHOTS}/explore-lines.png`, fullPage: true });
    await page.close();
  });

  it('underlines an unknown aggregate at its column and does not apply it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await open(page, new URLSearchParams({ q: '| count()' }).toString());
    const before = page.url();
    const input = page.getByTestId('where-input');
    await input.fill('| by(llm.model) p42(duration)');
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('where-error').textContent()).toMatch(/unknown aggregate 'p42' at column 17/);
    await expect.poll(() => page.getByTestId('where-underline').textContent()).toBe('p42');
    expect(page.url()).toBe(before);
    // A URL with a bad query renders the API's error.
    await open(page, new URLSearchParams({ q: '| by() count()' }).toString());
    await expect.poll(() => page.getByTestId('explore-error').textContent()).toMatch(/by\(\) needs at least one key/);
    await page.close();
  });

  /** Drags across a heatmap from (fx0, fy0) to (fx1, fy1), fractions of its box, and returns the differences answer the page asked for. */
  const brush = async (page: Page, testId: string, [fx0, fy0, fx1, fy1]: number[]) => {
    const svg = page.getByTestId(testId);
    await svg.waitFor();
    const box = (await svg.boundingBox())!;
    const answer = page.waitForResponse((r) => r.url().includes('/api/heatmap/differences'));
    await page.mouse.move(box.x + box.width * fx0, box.y + box.height * fy0);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * ((fx0 + fx1) / 2), box.y + box.height * ((fy0 + fy1) / 2), { steps: 4 });
    await page.mouse.move(box.x + box.width * fx1, box.y + box.height * fy1, { steps: 4 });
    await page.mouse.up();
    const res = await answer;
    expect(res.status()).toBe(200);
    return (await res.json()) as DifferencesResponse;
  };

  it('trace list: brushing the slow requests on the latency heatmap ranks what is different, and a value becomes a filter', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${app.url}/?since=24h`);
    await page.waitForSelector('[data-testid="trace-table"]');
    await hydrated(page);
    // The cells add up to every request of the range.
    await page.waitForSelector('[data-testid="heatmap-duration"] rect[data-count]');
    const counts = await page
      .locator('[data-testid="heatmap-duration"] rect[data-count]')
      .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(150);

    const answer = await brush(page, 'heatmap-duration', [0.02, 0.02, 0.98, 0.5]);
    expect(answer.selectedTotal).toBeGreaterThan(0);
    expect(answer.selectedTotal + answer.restTotal).toBe(150);
    await page.getByTestId('heatmap-duration-selection').waitFor();
    const items = page.getByTestId('difference-item');
    await expect.poll(() => items.count()).toBe(answer.values.length);
    expect(answer.values.length).toBeGreaterThan(0);
    const top = answer.values[0];
    const pct = (x: number) => `${x * 100 >= 10 || x === 0 ? Math.round(x * 100) : (x * 100).toFixed(1)}%`;
    expect(await items.first().textContent()).toBe(`${top.key} = ${top.value}: ${pct(top.selectedShare)} of selected vs ${pct(top.restShare)} of the rest`);
    await page.screenshot({ path: `${SCREENSHOTS}/heatmap-differences.png`, fullPage: true });

    await Promise.all([page.waitForURL(/where=/), items.first().click()]);
    const where = new URL(page.url()).searchParams.get('where')!;
    expect(checkWhere(where).diagnostics).toEqual([]);
    expect(where).toContain(top.key);
    await page.close();
  });

  it('/explore: the heatmaps follow the query filter, and a clicked value is ANDed into the query', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
    await open(page, new URLSearchParams({ q: '| by(llm.model) p95(ttft)', since: '24h' }).toString());
    const answer = await brush(page, 'heatmap-ttft', [0.02, 0.02, 0.98, 0.5]);
    expect(answer.field).toBe('ttft');
    expect(answer.selectedTotal).toBeGreaterThan(0);
    expect(answer.restTotal).toBeGreaterThan(0);
    const items = page.getByTestId('difference-item');
    await expect.poll(() => items.count()).toBe(answer.values.length);
    expect(answer.values.length).toBeGreaterThan(0);
    const top = answer.values[0];
    await Promise.all([page.waitForURL(/q=/), items.first().click()]);
    const q = new URL(page.url()).searchParams.get('q')!;
    expect(q.endsWith('| by(llm.model) p95(ttft)')).toBe(true);
    expect(q).toContain(top.key);
    await page.close();
  });
});
