/**
 * The built app end to end: `tracedeck serve` on an embedded database, demo data
 * loaded by `tracedeck seed` through the real OTLP route, spans from the official
 * protobuf exporter, and the pages driven in headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server';
import { launchBrowser } from '../support/browser';

type ListBody = { traces: { traceId: string; tenantId: string; httpStatusCode: number | null }[] };

describe('explorer (built app, headless Chromium)', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startAppServer();
    execFileSync(process.execPath, ['bin/tracedeck.mjs', 'seed', '--url', app.url, '--traces', '150', '--seed', '3'], { stdio: 'pipe' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const api = async (query: string) => (await (await fetch(`${app.url}/api/traces?${query}`)).json()) as ListBody;

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

  it('keeps exact nanosecond times from the official protobuf exporter in the production build', async () => {
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
    const body = (await (await fetch(`${app.url}/api/traces/${span.spanContext().traceId}`)).json()) as { spans: { startTimeUnixNano: string; attributes: Record<string, unknown> }[] };
    const [s, ns] = sent.startTime;
    expect(body.spans[0].startTimeUnixNano).toBe((BigInt(s) * 1_000_000_000n + BigInt(ns)).toString());
    expect(body.spans[0].attributes.big).toEqual({ intValue: '1152921504606846976' }) // > 2^53: exact only if int64 stays exact end to end;
  });

  it('renders the filtered list from the URL, and the filter box round-trips through the URL', async () => {
    const page = await browser.newPage();
    const expected = await api('where=tenant.id=globex&limit=50&since=24h');
    await page.goto(`${app.url}/?where=${encodeURIComponent('tenant.id=globex')}&since=24h`);
    const rows = page.locator('[data-testid="trace-table"] tbody tr');
    await expect.poll(() => rows.count()).toBe(expected.traces.length);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-trace-id')));
    expect(ids).toEqual(expected.traces.map((t) => t.traceId));

    await page.fill('input[name="where"]', 'tenant.id=initech AND status=error');
    await Promise.all([page.waitForURL(/initech/), page.press('input[name="where"]', 'Enter')]);
    const url = new URL(page.url());
    expect(url.searchParams.get('where')).toBe('tenant.id=initech AND status=error');
    const initech = await api(`where=${encodeURIComponent('tenant.id=initech AND status=error')}&since=24h`);
    await expect.poll(() => rows.count()).toBe(initech.traces.length);
    await page.close();
  });

  it('shows a parse error under the column the parser names', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/?where=${encodeURIComponent('tenant.id=acme AND (status=error')}`);
    const alert = page.locator('.filter-error');
    await expect.poll(() => alert.textContent()).toMatch(/missing '\)'/);
    const text = (await alert.textContent()) ?? '';
    const caretLine = text.split('\n')[1] ?? '';
    expect(caretLine.indexOf('^')).toBe('tenant.id=acme AND '.length);
    await page.close();
  });

  it('opens a trace from the list and shows its spans nested, by full and by short id', async () => {
    const page = await browser.newPage();
    const [first] = (await api('where=tenant.id=acme-corp&limit=1&since=24h')).traces;
    await page.goto(`${app.url}/?where=tenant.id%3Dacme-corp&since=24h`);
    await Promise.all([page.waitForURL(/\/traces\//), page.click(`tr[data-trace-id="${first.traceId}"] a`)]);
    expect(page.url()).toContain(`/traces/${first.traceId}`);
    const spanRows = page.locator('[data-testid="span-table"] tbody tr');
    await expect.poll(() => spanRows.count()).toBe(4);
    expect(await spanRows.first().textContent()).toContain('plano(inbound)');

    await page.goto(`${app.url}/traces/${first.traceId.slice(0, 8)}`);
    expect(page.url()).toContain(`/traces/${first.traceId}`);
    await page.close();
  });
});
