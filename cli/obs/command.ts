/**
 * `tracedeck obs [--where …] [--since 5m] [--interval 2] [--json]`: live LLM traffic from a
 * running Tracedeck (GET /api/live), like `planoai obs`. On a terminal it redraws in place
 * every --interval seconds (log-update) until Ctrl-C; otherwise it prints once and exits;
 * --json prints the snapshot's numbers once. Returns the exit code; I/O goes through ObsIo.
 */
import { parseLiveSince } from '../../lib/live/window';
import type { LiveSnapshot } from '../../lib/live/types';
import { CliError, caretLines, checkWhereFilters, defaultUrl, normalizeBaseUrl } from '../trace/args';
import { ApiAnswerError, type TracedeckClient } from '../trace/client';
import type { Painter } from '../trace/style';
import { renderObs } from './render';

export type ObsOptions = { where?: string[]; since?: string; interval?: string; json?: boolean; url?: string; token?: string; recent?: string };

export type ObsIo = {
  out(text: string): void;
  err(text: string): void;
  painter: Painter;
  errPainter: Painter;
  /** stdout is a terminal: redraw in place. */
  tty: boolean;
  columns: number;
  client(baseUrl: string, token: string | null): TracedeckClient;
  /** Redraws the screen in place (terminal only). */
  redraw(text: string): void;
  /** Resolves when the user asks to stop (Ctrl-C), or after `ms`. True when stopped. */
  wait(ms: number): Promise<boolean>;
  env: Record<string, string | undefined>;
};

type ObsPlan = { baseUrl: string; token: string | null; where: string[]; since: string; intervalS: number; json: boolean; recent: number };

/** The options checked, with messages that name the option (no request is sent for a bad one). */
export function planObs(opts: ObsOptions, env: Record<string, string | undefined>): ObsPlan {
  const where = opts.where ?? [];
  checkWhereFilters(where);
  const window = parseLiveSince(opts.since);
  if (!window.ok) throw new CliError(`Invalid value for '--since': ${window.error}`);
  const intervalS = Number(opts.interval ?? '2');
  if (!Number.isFinite(intervalS) || intervalS < 0.5 || intervalS > 3600) {
    throw new CliError(`Invalid value for '--interval': '${opts.interval}'. Use seconds between 0.5 and 3600, e.g. 2.`);
  }
  const recent = Number(opts.recent ?? '15');
  if (!Number.isInteger(recent) || recent < 1 || recent > 100) throw new CliError(`Invalid value for '--recent': '${opts.recent}'. Use 1 to 100.`);
  return {
    baseUrl: normalizeBaseUrl(opts.url ?? defaultUrl(env)),
    token: opts.token ?? env.TRACEDECK_TOKEN ?? null,
    where,
    since: window.since,
    intervalS,
    json: Boolean(opts.json),
    recent,
  };
}

export async function runObs(opts: ObsOptions, io: ObsIo): Promise<number> {
  let plan: ObsPlan | null = null;
  try {
    plan = planObs(opts, io.env);
    const ready = plan;
    const client = io.client(ready.baseUrl, ready.token);
    const fetchSnapshot = (): Promise<LiveSnapshot> => client.live({ where: ready.where, since: ready.since, recent: ready.recent });
    if (ready.json) {
      io.out(`${JSON.stringify(await fetchSnapshot(), null, 2)}\n`);
      return 0;
    }
    if (!io.tty) {
      io.out(`${renderObs(await fetchSnapshot(), io.painter, { columns: io.columns, baseUrl: ready.baseUrl, intervalS: null }).join('\n')}\n`);
      return 0;
    }
    for (;;) {
      let frame: string;
      try {
        frame = renderObs(await fetchSnapshot(), io.painter, { columns: io.columns, baseUrl: ready.baseUrl, intervalS: ready.intervalS }).join('\n');
      } catch (err) {
        // A failed poll keeps the loop going (the server may be restarting); a bad request does not.
        if (err instanceof ApiAnswerError && err.status === 400) throw err;
        frame = io.painter.paint(`${err instanceof Error ? err.message : String(err)} — retrying every ${ready.intervalS}s (Ctrl-C exits)`, { fg: 'yellow' });
      }
      io.redraw(frame);
      if (await io.wait(ready.intervalS * 1000)) return 0;
    }
  } catch (err) {
    const { message, details } = explain(err, plan);
    io.err(`${io.errPainter.paint('Error:', { fg: 'red', bold: true })} ${message}\n${details.map((d) => `${d}\n`).join('')}`);
    return 1;
  }
}

function explain(err: unknown, plan: ObsPlan | null): { message: string; details: string[] } {
  if (err instanceof CliError) return { message: err.message, details: err.details };
  if (err instanceof ApiAnswerError) {
    const filter = err.body.where ?? (plan && plan.where.length === 1 ? plan.where[0] : undefined);
    const caret = filter !== undefined && err.body.column !== undefined ? caretLines(filter, err.body.column, err.body.length) : [];
    const hint = err.status === 401 || err.status === 403 ? ['Pass a read token with --token or TRACEDECK_TOKEN.'] : [];
    return { message: `${err.body.error} (HTTP ${err.status})`, details: [...caret, ...hint] };
  }
  return { message: err instanceof Error ? err.message : String(err), details: [] };
}
