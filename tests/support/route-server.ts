/**
 * Serves the app's real route handlers over HTTP in-process, so integration tests
 * (and the official OTLP exporters) talk HTTP to exactly the code Next.js runs,
 * without a build. Only the route table below is Next's job being imitated.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { Db, DbKind } from '../../db/client';
import { useDb } from '../../server/db';
import * as attributeValues from '../../app/api/attributes/[key]/values/route';
import * as attributes from '../../app/api/attributes/route';
import * as login from '../../app/api/auth/login/route';
import * as heatmapDifferences from '../../app/api/heatmap/differences/route';
import * as heatmap from '../../app/api/heatmap/route';
import * as live from '../../app/api/live/route';
import * as metrics from '../../app/api/metrics/route';
import * as query from '../../app/api/query/route';
import * as sessionById from '../../app/api/sessions/[sessionId]/route';
import * as sessions from '../../app/api/sessions/route';
import * as traceOtlp from '../../app/api/traces/[traceId]/otlp/route';
import * as traceById from '../../app/api/traces/[traceId]/route';
import * as traces from '../../app/api/traces/route';
import * as ingest from '../../app/v1/traces/route';
import { type TestDatabase, openTestDatabase } from './databases';

type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const ROUTES: [string, RegExp, Handler][] = [
  ['POST', /^\/v1\/traces$/, ingest.POST as Handler],
  ['GET', /^\/api\/traces$/, traces.GET as Handler],
  ['GET', /^\/api\/traces\/(?<traceId>[^/]+)$/, traceById.GET as Handler],
  ['GET', /^\/api\/traces\/(?<traceId>[^/]+)\/otlp$/, traceOtlp.GET as Handler],
  ['GET', /^\/api\/attributes$/, attributes.GET as Handler],
  ['GET', /^\/api\/attributes\/(?<key>[^/]+)\/values$/, attributeValues.GET as Handler],
  ['GET', /^\/api\/metrics$/, metrics.GET as Handler],
  ['GET', /^\/api\/live$/, live.GET as Handler],
  ['GET', /^\/api\/query$/, query.GET as Handler],
  ['GET', /^\/api\/sessions$/, sessions.GET as Handler],
  ['GET', /^\/api\/sessions\/(?<sessionId>[^/]+)$/, sessionById.GET as Handler],
  ['GET', /^\/api\/heatmap$/, heatmap.GET as Handler],
  ['GET', /^\/api\/heatmap\/differences$/, heatmapDifferences.GET as Handler],
  ['POST', /^\/api\/auth\/login$/, login.POST as Handler],
];

export type RouteServer = { url: string; close(): Promise<void> };

export async function startRouteServer(): Promise<RouteServer> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ROUTES.find(([method, pattern]) => method === req.method && pattern.test(url.pathname));
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const match = route[1].exec(url.pathname);
    const params = Object.fromEntries(Object.entries(match?.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const request = new Request(url, {
      method: req.method,
      headers,
      body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
    });
    const response = await route[2](request, { params: Promise.resolve(params) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  // Tests block the event loop for seconds (compressing 80 MB bombs) between requests: with Node's 5 s
  // keep-alive timeout, the server then dropped the idle connection the client had just reused (ECONNRESET).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * For a describe block: a fresh database of `kind` made the app's (`useDb`) and the routes served in
 * front of it, from the block's beforeAll to its afterAll. Read `url` and `db` inside tests and hooks.
 */
export function serveRoutesOn(kind: DbKind): { readonly url: string; readonly db: Db } {
  let database: TestDatabase | undefined;
  let server: RouteServer | undefined;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('serveRoutesOn: read url and db inside tests and hooks, after its beforeAll');
    return value;
  };
  return {
    get url() {
      return started(server).url;
    },
    get db() {
      return started(database).db;
    },
  };
}
