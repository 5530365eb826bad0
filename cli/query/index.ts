/**
 * `tracedeck query '<q>'`: an aggregate query (`<filter> | [spans] by(…) <agg>, …`)
 * answered by a running Tracedeck (GET /api/query), printed as a table, or with
 * --json as the API's own `{columns, rows, …}`. The query is checked here first, so a
 * mistake gets its caret before anything is sent.
 */
import type { Command } from 'commander';
import { checkQuery } from '../../lib/where';
import { CliError, caretLines, defaultUrl, normalizeBaseUrl, parseSinceOption } from '../trace/args';
import { ApiAnswerError } from '../trace/client';
import type { TraceIo } from '../trace/command';
import { renderQueryTable } from './table';

export type QueryCliOptions = {
  since?: string;
  from?: string;
  to?: string;
  step?: string;
  limit?: string;
  json?: boolean;
  url?: string;
  token?: string;
};

export const QUERY_HELP_AFTER = `
Query:
  <filter>? | [spans] [by(<key>, …)] <aggregate>, …
  aggregates: count() rate() errors() error_rate() count_distinct(<key>)
              sum|avg|min|max|p50|p90|p95|p99(<field>)
  fields:     duration, trace.duration, tokens, cost, ttft, or any attribute (numerically)
  Rows are requests (traces) unless the pipeline starts with 'spans'.

Examples:
  tracedeck query 'http.status_code>=500 | by(llm.model) count()'
  tracedeck query '| by(tenant.id) count(), p95(duration)' --since 7d
  tracedeck query 'tenant.id=acme-corp | by(llm.model) p95(llm.time_to_first_token), sum(llm.usage.total_tokens)'
  tracedeck query '| spans by(service) p99(duration)' --since 1h --step 5m --json
`;

/** The query's first problem, with a caret under its column. */
function queryError(query: string, message: string, column?: number, length?: number): CliError {
  return new CliError(`Invalid query: ${message}`, column === undefined ? [] : caretLines(query, column, length));
}

export async function runQueryCommand(query: string, opts: QueryCliOptions, io: TraceIo): Promise<number> {
  try {
    const checked = checkQuery(query);
    const problem = checked.diagnostics[0];
    if (problem) throw queryError(query, problem.message, problem.column, problem.length);
    const since = parseSinceOption(opts.since) ?? undefined;
    const client = io.client(normalizeBaseUrl(opts.url ?? defaultUrl(io.env)), opts.token?.trim() || io.env.TRACEDECK_TOKEN?.trim() || null);
    const answer = await client.query({ q: query, since, from: opts.from, to: opts.to, step: opts.step, limit: opts.limit });
    io.out(opts.json ? `${JSON.stringify(answer, null, 2)}\n` : renderQueryTable(answer, io.painter).join('\n') + '\n');
    return 0;
  } catch (err) {
    const failure =
      err instanceof ApiAnswerError
        ? err.body.column !== undefined
          ? queryError(query, err.body.error, err.body.column, err.body.length)
          : new CliError(err.body.error)
        : err;
    if (!(failure instanceof CliError)) throw failure;
    io.err(`${io.errPainter.paint('Error:', { fg: 'red', bold: true })} ${failure.message}\n${failure.details.map((l) => `${l}\n`).join('')}`);
    return 1;
  }
}

export function registerQueryCommand(program: Command, io: () => TraceIo): Command {
  return program
    .command('query')
    .description('aggregate requests or spans with the where grammar: <filter> | by(<key>) <aggregate>, …')
    .argument('<query>', "e.g. '| by(llm.model) count(), p95(duration)'")
    .option('--since <window>', 'look back window (e.g. 5m, 2h, 1d; default: the server’s, 24h)')
    .option('--from <time>', 'range start (ISO 8601 or epoch ms); with --to instead of --since')
    .option('--to <time>', 'range end (default: now)')
    .option('--step <size>', 'one row per time bucket of this size (1m, 5m, 1h, 1d or auto)')
    .option('--limit <n>', 'groups kept; the rest fold into "other" (default 20)')
    .option('--json', "print the API's JSON ({columns, rows, …})")
    .option('--url <url>', 'Tracedeck base URL (default: $TRACEDECK_URL or http://localhost:3000)')
    .option('--token <token>', 'read token or tenant-scoped key, when the server requires one (default: $TRACEDECK_TOKEN)')
    .addHelpText('after', QUERY_HELP_AFTER)
    .action(async (query: string, opts: QueryCliOptions) => {
      process.exitCode = await runQueryCommand(query, opts, io());
    });
}
