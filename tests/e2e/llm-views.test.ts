/**
 * The LLM operator views end to end, on one seeded server (`tracedeck seed`: a third of
 * the LLM spans carry tokens but no reported cost, wayne-enterprises calls `my-finetune`,
 * which no catalog prices, and requests carry Plano's routes, strategies, fallbacks and
 * cache hits):
 * - cost labels: the trace list labels each cost reported (`rep`) or computed (`calc`), the
 *   dashboard names the unpriced model and never shows its requests as $0, and the trace
 *   page header says where the trace's cost came from;
 * - /live: updates without a reload when new spans arrive, its window and filter bar, and
 *   no polling while the tab is hidden;
 * - `tracedeck obs`: printed once when not a terminal, and --json;
 * - /sessions: the seeded multi-turn sessions, sorted and filtered, and a session page's turns.
 * Each page is checked against the API. Screenshots: tests/e2e/screenshots/{cost,live}-*.png.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsResponse } from '../../lib/metrics/types';
import { fmtUsd } from '../../lib/pricing/label';
import type { CostFigure } from '../../lib/pricing/types';
import type { LiveSnapshot } from '../../lib/live/types';
import type { SessionDetail, SessionList } from '../../lib/sessions/types';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';

const SCREENSHOTS = 'tests/e2e/screenshots';
const VIEWPORT = { width: 1400, height: 900 };
const UNPRICED_MODEL = 'my-finetune';

type ListTrace = { traceId: string; tenantId: string; llmModel: string | null; costUsd: number | null; cost?: CostFigure | null };
type ListBody = { traces: ListTrace[] };

const SEEDED_TRACES = 300;

/**
 * Waits until the server lists every seeded trace. Summaries are built off the request path, and a read
 * waits for them at most a couple of seconds: on a loaded machine an API answer and the page read after it
 * could otherwise see different parts of the seed (a CI run saw /sessions ordered differently).
 */
async function summarized(url: string, traces: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const body = (await (await fetch(`${url}/api/metrics?since=24h&series=false&metrics=requests`)).json()) as MetricsResponse;
    if (body.totals.requests >= traces) return;
    if (Date.now() > deadline) throw new Error(`only ${body.totals.requests} of the ${traces} seeded traces were summarized after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('LLM operator views (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startAppServer();
    execFileSync(process.execPath, ['bin/tracedeck.mjs', 'seed', '--url', app.url, '--traces', String(SEEDED_TRACES), '--seed', '11', '--hours', '6'], {
      stdio: 'pipe',
    });
    // Every test compares a page with an API answer read just before it: both must see all of the seed.
    await summarized(app.url, SEEDED_TRACES);
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

  // ---------------------------------------------------------------- /live and tracedeck obs

  const liveApi = async (query: string) => (await (await fetch(`${app.url}/api/live?${query}`)).json()) as LiveSnapshot;
  let sent = 0;
  /** One Plano-like LLM request starting now, as a gateway would export it. */
  const sendRequest = async (model: string, status: number) => {
    sent++;
    const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const attrs = [
      ['tenant.id', { stringValue: 'live-tenant' }],
      ['llm.model', { stringValue: model }],
      ['plano.route.name', { stringValue: 'e2e-route' }],
      ['routing.strategy', { stringValue: 'llm_router' }],
      ['routing.is_fallback', { boolValue: true }],
      ['llm.usage.prompt_tokens', { intValue: '1200' }],
      ['llm.usage.completion_tokens', { intValue: '0' }],
      ['http.status_code', { stringValue: String(status) }],
      ['error.message', { stringValue: `e2e upstream failure ${sent}` }],
    ].map(([key, value]) => ({ key, value }));
    const res = await fetch(`${app.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'plano(llm)' } }] },
            scopeSpans: [
              {
                scope: { name: 'e2e' },
                spans: [
                  {
                    traceId: `1e0e${hex(sent, 28)}`,
                    spanId: `1e0e${hex(sent, 12)}`,
                    name: `chat ${model}`,
                    kind: 3,
                    startTimeUnixNano: nowNs.toString(),
                    endTimeUnixNano: (nowNs + 850_000_000n).toString(),
                    attributes: attrs,
                    status: { code: 2, message: 'upstream failure' },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    return `1e0e${hex(sent, 28)}`;
  };
  const liveText = (page: Page, testId: string) => page.getByTestId(testId).textContent();

  it('/live shows a new request without a reload: latest call, totals, last error, by model and route share', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${app.url}/live`);
    await page.waitForSelector('[data-testid="live-totals"]');
    await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
    const traceId = await sendRequest('live-e2e-model', 503);
    await expect.poll(() => page.getByTestId('live-latest').getAttribute('data-trace-id'), { timeout: 20_000 }).toBe(traceId);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await liveText(page, 'latest-model')).toBe('live-e2e-model');
    expect(await liveText(page, 'latest-route')).toBe('e2e-route · llm_router · fallback');
    expect(await liveText(page, 'latest-cost')).toBe('no price (live-e2e-model)');
    const banner = (await liveText(page, 'live-last-error')) ?? '';
    expect(banner).toContain('503 Service Unavailable');
    expect(banner).toContain(`e2e upstream failure ${sent}`);
    // The model has no price: counted, never $0.
    const cost = page.locator('[data-testid="live-model-table"] tr[data-model="live-e2e-model"] [data-column="cost"]');
    expect(await cost.textContent()).toBe('1 unpriced');
    expect(await page.locator('[data-testid="live-route-table"] tr[data-route="e2e-route"] [data-column="fallbacks"]').textContent()).toBe('1');
    await page.screenshot({ path: `${SCREENSHOTS}/live-5m.png`, fullPage: true });
    await page.close();
  });

  it('/live: the window buttons and the filter bar choose the requests, kept in the URL', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${app.url}/live`);
    await page.waitForSelector('[data-testid="live-totals"]');
    await hydrated(page);
    await Promise.all([page.waitForURL(/since=24h/), page.getByTestId('live-window-24h').click()]);
    const day = await liveApi('since=24h');
    await expect.poll(() => liveText(page, 'live-requests')).toBe(day.totals.requests.toLocaleString('en-US'));
    expect(await liveText(page, 'live-cost')).toBe(`${fmtUsd(day.totals.cost.usd ?? NaN)} reported + computed · ${day.totals.cost.unpricedRequests} unpriced`);
    expect(await page.getByTestId('live-unpriced-note').textContent()).toContain(`of \`${UNPRICED_MODEL}\``);
    const rows = await page.locator('[data-testid="live-model-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')));
    expect(rows).toEqual(day.models.map((m) => m.model ?? ''));
    await page.screenshot({ path: `${SCREENSHOTS}/live-24h.png`, fullPage: true });

    const input = page.getByTestId('where-input');
    await input.fill('tenant.id=live-tenant');
    await Promise.all([page.waitForURL(/where=tenant\.id/), input.press('Enter')]);
    const mine = await liveApi('since=24h&where=tenant.id%3Dlive-tenant');
    expect(mine.totals.requests).toBeGreaterThan(0);
    await expect.poll(() => liveText(page, 'live-requests')).toBe(String(mine.totals.requests));
    expect(new URL(page.url()).searchParams.get('since')).toBe('24h');
    await page.close();
  });

  it('/live stops polling while the tab is hidden and catches up when it is shown', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${app.url}/live?where=tenant.id%3Dlive-tenant`);
    await page.waitForSelector('[data-testid="live-latest"]');
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await expect.poll(() => page.getByTestId('live-view').getAttribute('data-paused')).toBe('true');
    const requests: string[] = [];
    page.on('request', (r) => void (r.url().includes('/api/live') && requests.push(r.url())));
    const hiddenTrace = await sendRequest('live-e2e-hidden', 502);
    // Three poll intervals: a visible tab would have asked three times.
    await page.waitForTimeout(6_000);
    expect(requests).toEqual([]);
    expect(await page.getByTestId('live-latest').getAttribute('data-trace-id')).not.toBe(hiddenTrace);
    await setVisibility('visible');
    await expect.poll(() => page.getByTestId('live-latest').getAttribute('data-trace-id'), { timeout: 10_000 }).toBe(hiddenTrace);
    expect(requests.length).toBeGreaterThan(0);
    await page.close();
  });

  const sessionsApi = async (query: string) => (await (await fetch(`${app.url}/api/sessions?${query}`)).json()) as SessionList;
  /** The session table's rows: id, tenant, turns and cost text, in row order. */
  const sessionRows = (page: Page) =>
    page.locator('[data-testid="session-table"] tbody tr[data-session]').evaluateAll((trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute('data-session'),
        tenant: tr.getAttribute('data-tenant'),
        turns: Number(tr.querySelector('[data-column="turns"]')?.textContent),
        cost: tr.querySelector('[data-column="cost"]')?.getAttribute('data-source') ?? null,
      })),
    );

  it('/sessions lists the seeded sessions as the API does, sorts by a column header and takes the filter bar', async () => {
    const api = await sessionsApi('since=24h');
    // The seed makes multi-turn sessions: several turns per session id.
    expect(api.sessions.some((s) => s.turns >= 3)).toBe(true);
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${app.url}/sessions`);
    await page.waitForSelector('[data-testid="session-table"]');
    await hydrated(page);
    const rows = await sessionRows(page);
    expect(rows).toEqual(api.sessions.map((s) => ({ id: s.sessionId, tenant: s.tenantId, turns: s.turns, cost: s.cost.source ?? '' })));
    await page.screenshot({ path: `${SCREENSHOTS}/sessions-list.png` });

    await page.getByTestId('sort-turns').click();
    // The URL (and data-sort) change at the click; the rows follow when the server's render arrives.
    await page.waitForSelector('[data-testid="session-table"][data-sort="-turns"][data-rows-sort="-turns"]');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('-turns');
    const byTurns = await sessionsApi('since=24h&sort=-turns');
    expect((await sessionRows(page)).map((r) => r.id)).toEqual(byTurns.sessions.map((s) => s.sessionId));
    const turns = (await sessionRows(page)).map((r) => r.turns);
    expect(turns).toEqual([...turns].sort((a, b) => b - a));

    await page.goto(`${app.url}/sessions?where=${encodeURIComponent('tenant.id=globex')}&sort=-cost`);
    await page.waitForSelector('[data-testid="session-table"]');
    const globex = await sessionRows(page);
    expect(globex.length).toBeGreaterThan(0);
    expect(new Set(globex.map((r) => r.tenant))).toEqual(new Set(['globex']));
    expect(globex.map((r) => r.id)).toEqual((await sessionsApi('since=24h&sort=-cost&where=tenant.id%3Dglobex')).sessions.map((s) => s.sessionId));
    await page.close();
  });

  it('a session page shows its turns over time as the API does, each linking to its trace', async () => {
    const api = await sessionsApi('since=24h&sort=-turns&limit=1');
    const top = api.sessions[0];
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${app.url}/sessions?sort=-turns`);
    await page.waitForSelector('[data-testid="session-table"]');
    await page.locator(`tr[data-session="${top.sessionId}"][data-tenant="${top.tenantId}"] a`).click();
    await page.waitForSelector('[data-testid="session-turns"]');
    const url = new URL(page.url());
    expect(decodeURIComponent(url.pathname)).toBe(`/sessions/${top.sessionId}`);
    const detail = (await (await fetch(`${app.url}/api/sessions/${encodeURIComponent(top.sessionId)}?${url.searchParams}`)).json()) as SessionDetail;
    expect(detail.turns).toHaveLength(top.turns);
    const shown = await page.locator('[data-testid="session-turns"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        traceId: tr.getAttribute('data-trace-id'),
        message: tr.querySelector('[data-column="message"]')?.textContent ?? '',
        cost: tr.querySelector('[data-column="cost"]')?.getAttribute('data-source') ?? '',
        link: tr.querySelector('a')?.getAttribute('href') ?? '',
      })),
    );
    expect(shown.map((r) => r.traceId)).toEqual(detail.turns.map((t) => t.traceId));
    for (const [i, t] of detail.turns.entries()) {
      expect(shown[i].message).toBe(t.userMessage ?? t.rootName);
      expect(shown[i].cost).toBe(t.cost?.source ?? '');
      expect(shown[i].link.startsWith(`/traces/${t.traceId}?`)).toBe(true);
    }
    // Oldest first: the conversation in order.
    const starts = detail.turns.map((t) => BigInt(t.startTimeUnixNano));
    expect(starts).toEqual([...starts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(await page.getByTestId('session-summary').first().getAttribute('data-tenant')).toBe(top.tenantId);
    await page.screenshot({ path: `${SCREENSHOTS}/sessions-page.png` });
    await page.getByTestId('turn-trace-link').first().click();
    await page.waitForURL(new RegExp(`/traces/${detail.turns[0].traceId}`));
    await page.close();
  });

  const obs = (args: string[]) =>
    promisify(execFile)(process.execPath, ['bin/tracedeck.mjs', 'obs', '--url', app.url, ...args], { env: { ...process.env, NO_COLOR: '1' } });

  it('tracedeck obs prints the screen once when stdout is not a terminal', async () => {
    const { stdout } = await obs(['--since', '24h', '--where', 'tenant.id=wayne-enterprises']);
    const api = await liveApi('since=24h&where=tenant.id%3Dwayne-enterprises');
    expect(stdout).toMatch(/^live LLM traffic · last 24h · where tenant\.id = wayne-enterprises · \d\d:\d\d:\d\d UTC\n/);
    expect(stdout).toMatch(new RegExp(`requests\\s+${api.totals.requests}\\n`));
    expect(stdout).toMatch(new RegExp(`total cost\\s+${api.totals.cost.unpricedRequests} unpriced\\n`));
    expect(stdout).toContain(`have no price — not counted in the cost`);
    expect(stdout).toMatch(new RegExp(`${UNPRICED_MODEL}\\s+${api.totals.requests}\\s`));
    expect(stdout).not.toMatch(/\$0(?![.\d])/);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/^printed once · /);
  });

  it('tracedeck obs --json prints the numbers; a bad window is refused with a message', async () => {
    const { stdout } = await obs(['--since', '24h', '--json']);
    const printed = JSON.parse(stdout) as LiveSnapshot;
    const api = await liveApi('since=24h');
    expect(printed.totals.requests).toBe(api.totals.requests);
    expect(printed.models.map((m) => m.model)).toEqual(api.models.map((m) => m.model));
    expect(printed.totals.cost.unpriced.find((u) => u.model === UNPRICED_MODEL)?.requests).toBeGreaterThan(0);
    const failed = await obs(['--since', '3d']).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/Invalid value for '--since'.*at most 24h/);
  });
});
