/**
 * The CLI's only way to the data: the HTTP API the web UI reads
 * (GET /api/traces, /api/traces/{id}, /api/attributes, /api/query). With a token (--token or
 * TRACEDECK_TOKEN) every request carries `Authorization: Bearer <token>`.
 */
import type { QueryResponse } from '../../lib/query/response';
import type { StoredSpan, TraceSummary } from '../../lib/trace/wire';
import { CliError } from './args';
import type { CostFigure } from '../../lib/pricing/types';

export type TraceListPage = { traces: TraceSummary[]; nextCursor: string | null };
export type TraceDetail = { traceId: string; summaries: TraceSummary[]; spans: StoredSpan[]; costs?: { total: CostFigure | null } };
export type AttributeKey = { key: string; scope: 'span' | 'resource' | 'intrinsic' };

/** An error answer of the API: `{error, column?, length?, filterIndex?, where?, candidates?}`. */
export class ApiAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; column?: number; length?: number; filterIndex?: number; where?: string; candidates?: string[] },
  ) {
    super(body.error);
    this.name = 'ApiAnswerError';
  }
}

export type FetchLike = (url: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) => Promise<Response>;

function describeCause(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    if (cause.name === 'TimeoutError') return 'no answer in time';
    return typeof code === 'string' ? code : cause.message;
  }
  return String(cause);
}

export class TracedeckClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: FetchLike = (url, init) => fetch(url, init),
    private readonly timeoutMs = 30_000,
    private readonly token: string | null = null,
  ) {}

  private async get<T>(path: string, params: URLSearchParams = new URLSearchParams()): Promise<T> {
    const query = params.toString();
    const url = `${this.baseUrl}${path}${query ? `?${query}` : ''}`;
    let res: Response;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.token) headers.authorization = `Bearer ${this.token}`;
      res = await this.fetchImpl(url, { signal: AbortSignal.timeout(this.timeoutMs), headers });
    } catch (err) {
      throw new CliError(
        `Cannot reach Tracedeck at ${this.baseUrl} (${describeCause(err)}). Is the server running? Start it with \`npm start\`, or point --url / TRACEDECK_URL at it.`,
      );
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CliError(`${this.baseUrl}${path} answered ${res.status} with something that is not JSON. Is ${this.baseUrl} a Tracedeck server?`);
    }
    if (!res.ok) {
      const b = (body ?? {}) as Record<string, unknown>;
      throw new ApiAnswerError(res.status, {
        error: typeof b.error === 'string' ? b.error : `HTTP ${res.status}`,
        ...(typeof b.column === 'number' ? { column: b.column } : {}),
        ...(typeof b.length === 'number' ? { length: b.length } : {}),
        ...(typeof b.filterIndex === 'number' ? { filterIndex: b.filterIndex } : {}),
        ...(typeof b.where === 'string' ? { where: b.where } : {}),
        ...(Array.isArray(b.candidates) ? { candidates: b.candidates.filter((c): c is string => typeof c === 'string') } : {}),
      });
    }
    return body as T;
  }

  /** One page of trace summaries, newest first. */
  listTraces({
    where,
    since,
    limit,
    cursor,
  }: {
    where: readonly string[];
    since?: string | null;
    limit: number;
    cursor?: string | null;
  }): Promise<TraceListPage> {
    const params = new URLSearchParams();
    for (const w of where) params.append('where', w);
    if (since) params.set('since', since);
    params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    return this.get<TraceListPage>('/api/traces', params);
  }

  private readonly traces = new Map<string, Promise<TraceDetail | null>>();

  /**
   * All spans of a trace, or null when there is none with that id (remembered
   * per client: one command asks once). A 409 (ambiguous short id) is thrown.
   */
  getTrace(id: string): Promise<TraceDetail | null> {
    const key = id.toLowerCase();
    let pending = this.traces.get(key);
    if (!pending) {
      pending = this.get<TraceDetail>(`/api/traces/${encodeURIComponent(key)}`).then(
        (detail) => {
          if (detail.traceId !== key) this.traces.set(detail.traceId, Promise.resolve(detail));
          return detail;
        },
        (err: unknown) => {
          if (err instanceof ApiAnswerError && err.status === 404) return null;
          throw err;
        },
      );
      this.traces.set(key, pending);
    }
    return pending;
  }

  /** An aggregate query's table (GET /api/query): `q`, the range, `step` and `limit` as given. */
  query(params: { q: string; since?: string; from?: string; to?: string; step?: string; limit?: string }): Promise<QueryResponse> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, value);
    return this.get<QueryResponse>('/api/query', search);
  }

  async attributeKeys(): Promise<AttributeKey[]> {
    const body = await this.get<{ keys: AttributeKey[] }>('/api/attributes');
    return body.keys;
  }
}
