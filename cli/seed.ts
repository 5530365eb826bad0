/** `tracedeck seed` (npm run seed): demo traces sent through the server's real OTLP/HTTP route. */
import { type OtlpJsonRequest, mergeRequests, planoDemoRequests } from '../lib/demo/plano-traces';

const BATCH_TRACES = 50;

export type SeedOptions = { url: string; traces: number; seed: number; hours: number; /** Ingest key, sent as a Bearer token. */ token?: string };

export async function seedCommand({ url, traces, seed, hours, token }: SeedOptions): Promise<void> {
  const endpoint = `${url.replace(/\/$/, '')}/v1/traces`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token?.trim()) headers.authorization = `Bearer ${token.trim()}`;
  let batch: OtlpJsonRequest[] = [];
  let sentSpans = 0;
  let rejected = 0;
  const send = async () => {
    if (batch.length === 0) return;
    const body = mergeRequests(batch);
    batch = [];
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (err) {
      throw new Error(`cannot reach ${endpoint} (${(err as Error).message}); is the server running? (npm start)`);
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${endpoint} answered ${res.status}: ${text}`);
    const answer = JSON.parse(text || '{}') as { partialSuccess?: { rejectedSpans?: string | number } };
    rejected += Number(answer.partialSuccess?.rejectedSpans ?? 0);
    sentSpans += body.resourceSpans.reduce((n, rs) => n + rs.scopeSpans.reduce((m, ss) => m + ss.spans.length, 0), 0);
  };
  for (const request of planoDemoRequests({ traces, seed, endMs: Date.now(), hours })) {
    batch.push(request);
    if (batch.length >= BATCH_TRACES) await send();
  }
  await send();
  console.log(`[tracedeck] seeded ${traces} traces (${sentSpans} spans, ${rejected} rejected) into ${url}`);
  if (rejected > 0) process.exitCode = 1;
}
