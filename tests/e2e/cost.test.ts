/**
 * Cost labels end to end, on seeded traffic (`tracedeck seed`: a third of the LLM
 * spans carry tokens but no reported cost, and wayne-enterprises calls `my-finetune`,
 * which no catalog prices): the trace list labels each cost reported (`rep`) or
 * computed (`calc`), the dashboard names the unpriced model and never shows its
 * requests as $0, and the trace page header says where the trace's cost came from.
 * Each page is checked against the API. Screenshots: tests/e2e/screenshots/cost-*.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsResponse } from '../../lib/metrics/types';
import { fmtUsd } from '../../lib/pricing/label';
import type { CostFigure } from '../../lib/pricing/types';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';

const SCREENSHOTS = 'tests/e2e/screenshots';
const VIEWPORT = { width: 1400, height: 900 };
const UNPRICED_MODEL = 'my-finetune';

type ListTrace = { traceId: string; tenantId: string; llmModel: string | null; costUsd: number | null; cost?: CostFigure | null };
type ListBody = { traces: ListTrace[] };

describe('cost labels (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startAppServer();
    execFileSync(process.execPath, ['bin/tracedeck.mjs', 'seed', '--url', app.url, '--traces', '300', '--seed', '11', '--hours', '6'], { stdio: 'pipe' });
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const list = async (query: string) => (await (await fetch(`${app.url}/api/traces?${query}`)).json()) as ListBody;
  const metrics = async (query: string) => (await (await fetch(`${app.url}/api/metrics?${query}`)).json()) as MetricsResponse;
  const hydrated = (page: Page) =>
    page.waitForFunction(() => {
      const input = document.querySelector('[data-testid="where-input"]');
      return !!input && Object.keys(input).some((k) => k.startsWith('__reactFiber'));
    });
  /** The list's cost cells: trace id, source and text, in row order. */
  const costCells = (page: Page) =>
    page.locator('[data-testid="trace-table"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cell = tr.querySelector('[data-testid="trace-cost"]');
        return { traceId: tr.getAttribute('data-trace-id'), source: cell?.getAttribute('data-source') ?? null, text: cell?.textContent ?? '' };
      }),
    );

  it('the trace list labels each cost as the API prices it: reported (rep), computed (calc), or no price', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${app.url}/?since=24h&cols=start,root,duration,tenant,model,tokens,cost`);
    await page.waitForSelector('[data-testid="trace-table"]');
    await hydrated(page);
    const cells = await costCells(page);
    const api = await list('since=24h&limit=50');
    expect(cells.map((c) => c.traceId)).toEqual(api.traces.map((t) => t.traceId));
    for (const [i, t] of api.traces.entries()) {
      const cell = cells[i];
      expect(cell.source, t.traceId).toBe(t.cost?.source ?? null);
      if (!t.cost) continue;
      if (t.cost.source === 'unknown') expect(cell.text).toBe('no price');
      else expect(cell.text).toBe(`${fmtUsd(t.cost.usd ?? NaN)} ${t.cost.source === 'reported' ? 'rep' : 'calc'}`);
      // A computed cost is a price, not a copy of a reported one.
      if (t.cost.source === 'computed') expect(t.costUsd).toBeNull();
      if (t.cost.source === 'reported') expect(t.cost.usd).toBeCloseTo(t.costUsd ?? NaN, 12);
    }
    const sources = new Set(cells.map((c) => c.source));
    expect(sources.has('reported')).toBe(true);
    expect(sources.has('computed')).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/cost-trace-list.png` });

    // The unknown model: "no price" on every row, never an amount.
    await page.goto(`${app.url}/?since=24h&cols=start,root,tenant,model,tokens,cost&where=${encodeURIComponent(`llm.model=${UNPRICED_MODEL}`)}`);
    await page.waitForSelector('[data-testid="trace-table"]');
    const unpriced = await costCells(page);
    expect(unpriced.length).toBeGreaterThan(0);
    for (const c of unpriced) {
      expect(c.source).toBe('unknown');
      expect(c.text).toBe('no price');
    }
    expect(await page.locator('[data-testid="trace-cost"]').first().getAttribute('title')).toBe(`no price (${UNPRICED_MODEL})`);
    await page.close();
  });

  it('the dashboard names the unpriced model with its request count and never shows its cost as $0', async () => {
    const api = await metrics('since=24h&group_by=tenant.id&top=100&series=false');
    const finetune = api.cost?.unpriced.find((u) => u.model === UNPRICED_MODEL);
    expect(finetune?.requests).toBeGreaterThan(0);
    const n = finetune?.requests ?? 0;

    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${app.url}/tenants`);
    await page.waitForSelector('[data-testid="dashboard"]');
    const note = (await page.getByTestId('unpriced-note').textContent()) ?? '';
    expect(note).toContain(`${n} ${n === 1 ? 'request' : 'requests'} of \`${UNPRICED_MODEL}\` ${n === 1 ? 'has' : 'have'} no price`);
    // The cost tile: both sources, and the unpriced requests counted beside them.
    const tile = (await page.getByTestId('summary-cost').textContent()) ?? '';
    expect(tile).toContain('reported + computed');
    expect(tile).toContain(`${api.totals.unpricedRequests} unpriced`);

    // The tenant whose every LLM request is my-finetune: its cost cell counts them, no amount.
    const wayne = api.groups.find((g) => g.key === 'wayne-enterprises');
    expect(wayne?.totals.costUsd ?? null).toBeNull();
    expect(wayne?.totals.unpricedRequests).toBeGreaterThan(0);
    const cell = page.locator('[data-testid="tenant-table"] tr[data-group="wayne-enterprises"] [data-column="cost"]');
    expect(await cell.getAttribute('data-source')).toBe('unknown');
    const text = (await cell.textContent()) ?? '';
    expect(text).toBe(`${wayne?.totals.unpricedRequests} unpriced`);
    await page.screenshot({ path: `${SCREENSHOTS}/cost-dashboard.png`, fullPage: true });

    // Its own page: the cost tile says unknown, the note names the model, no $0 anywhere in the cost tile.
    await page.goto(`${app.url}/tenants/wayne-enterprises`);
    await page.waitForSelector('[data-testid="dashboard"]');
    expect(await page.getByTestId('unpriced-note').textContent()).toContain(`of \`${UNPRICED_MODEL}\``);
    const wayneTile = (await page.getByTestId('summary-cost').textContent()) ?? '';
    expect(wayneTile).toBe(`Costno priceUSD · unknown · ${wayne?.totals.unpricedRequests} unpriced`);
    expect(await page.getByTestId('cost-source').getAttribute('data-source')).toBe('unknown');
    // The cost chart says why it is empty: the model has no price (not a missing cost key).
    expect(await page.getByTestId('unpriced-cost-notice').textContent()).toContain(`of \`${UNPRICED_MODEL}\` have no price`);
    const modelCost = page.locator('[data-testid="model-table"] tr[data-group="my-finetune"] [data-column="cost"]');
    expect(await modelCost.textContent()).toBe(`${wayne?.totals.unpricedRequests} unpriced`);
    await page.screenshot({ path: `${SCREENSHOTS}/cost-tenant-unpriced.png`, fullPage: true });

    // Only requests the gateway did not price: no cost key at all, yet a computed cost is charted.
    await page.goto(`${app.url}/tenants?where=${encodeURIComponent('llm.usage.total_cost_usd not exists AND llm.model!=my-finetune')}`);
    await page.waitForSelector('[data-testid="chart-cost"] .recharts-bar-rectangle', { timeout: 30_000 });
    expect(await page.getByTestId('cost-source').getAttribute('data-source')).toBe('computed');
    expect(await page.getByTestId('summary-cost').textContent()).toMatch(/^Cost\$[\d.]+USD · computed$/);
    await page.close();
  });

  it('the trace page header shows the cost with its source: reported, computed, or no price with the model', async () => {
    const { traces } = await list('since=24h&limit=300');
    const pick = (source: CostFigure['source']) => traces.find((t) => t.cost?.source === source);
    const page = await browser.newPage({ viewport: VIEWPORT });
    for (const source of ['reported', 'computed', 'unknown'] as const) {
      const t = pick(source);
      expect(t, `a ${source} trace`).toBeDefined();
      if (!t?.cost) continue;
      await page.goto(`${app.url}/traces/${t.traceId}`);
      const header = page.getByTestId('trace-cost');
      await header.waitFor();
      expect(await header.getAttribute('data-source')).toBe(source);
      const text = (await header.textContent()) ?? '';
      if (source === 'unknown') expect(text).toBe(`no price (${t.llmModel})`);
      else expect(text).toBe(`${fmtUsd(t.cost.usd ?? NaN)} (${source})`);
      await page.screenshot({ path: `${SCREENSHOTS}/cost-trace-${source}.png` });
    }
    await page.close();
  });
});
