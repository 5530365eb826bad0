import { describe, expect, it } from 'vitest';
import {
  CliError,
  MESSAGES,
  caretLines,
  checkWhereFilters,
  invalidWhereMessage,
  looksPlanoaiShaped,
  parseFilterPatterns,
  parseLimit,
  parseSinceOption,
  planTrace,
  resolveTarget,
} from '../../../cli/trace/args';

const failure = (fn: () => unknown): CliError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a CliError');
};

const none = { list: false, since: null, limit: null };

describe('target (planoai rules and messages)', () => {
  it('defaults to last, or to any with --list, --since or a non-zero --limit', () => {
    expect(resolveTarget(undefined, none)).toEqual({ kind: 'last' });
    expect(resolveTarget(undefined, { ...none, list: true })).toEqual({ kind: 'any' });
    expect(resolveTarget(undefined, { ...none, since: '5m' })).toEqual({ kind: 'any' });
    expect(resolveTarget(undefined, { ...none, limit: 3 })).toEqual({ kind: 'any' });
    expect(resolveTarget(undefined, { ...none, limit: 0 })).toEqual({ kind: 'last' });
    expect(resolveTarget('any', none)).toEqual({ kind: 'any' });
  });

  it('accepts 8 and 32 hex characters in any case, as lowercase ids', () => {
    expect(resolveTarget('DEADbeef', none)).toEqual({ kind: 'short', id: 'deadbeef' });
    expect(resolveTarget('4BF92F3577B34DA6A3CE929D0E0E4736', none)).toEqual({ kind: 'full', id: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it.each([
    ['abc', MESSAGES.idLength],
    ['listen', MESSAGES.idLength],
    ['0123456789', MESSAGES.idLength],
    ['zzzzzzzz', MESSAGES.shortId],
    ['00000000', MESSAGES.shortId],
    ['0'.repeat(32), MESSAGES.fullId],
    ['g'.repeat(32), MESSAGES.fullId],
  ])('%s → %s', (target, message) => {
    expect(failure(() => resolveTarget(target, none)).message).toBe(message);
  });

  it('refuses a trace id with --list, but allows last and any', () => {
    expect(failure(() => resolveTarget('deadbeef', { ...none, list: true })).message).toBe('Target and --list cannot be used together.');
    expect(resolveTarget('last', { ...none, list: true })).toEqual({ kind: 'last' });
    expect(resolveTarget('any', { ...none, list: true })).toEqual({ kind: 'any' });
  });

  it('has the exact planoai wording', () => {
    expect(MESSAGES.shortId).toBe('Short trace ID must be 8 hex characters.');
    expect(MESSAGES.fullId).toBe('Trace ID must be 32 hex characters.');
    expect(MESSAGES.idLength).toBe('Trace ID must be 8 or 32 hex characters.');
    expect(MESSAGES.negativeLimit).toBe('Limit must be greater than or equal to 0.');
  });
});

describe('--limit, --since, --filter', () => {
  it('--limit: integers ≥ 0, planoai message for negatives, click message for non-integers', () => {
    expect(parseLimit(undefined)).toBeNull();
    expect(parseLimit('0')).toBe(0);
    expect(parseLimit('25')).toBe(25);
    expect(failure(() => parseLimit('-1')).message).toBe('Limit must be greater than or equal to 0.');
    expect(failure(() => parseLimit('2.5')).message).toBe("Invalid value for '--limit': '2.5' is not a valid integer.");
  });

  it('--since takes 5m, 2h, 1d (and 30s, 1w) and names a bad value', () => {
    expect(parseSinceOption('5m')).toBe('5m');
    expect(parseSinceOption(' 2h ')).toBe('2h');
    expect(parseSinceOption(undefined)).toBeNull();
    expect(failure(() => parseSinceOption('5x')).message).toMatch(/'--since': '5x'/);
  });

  it('--filter splits on commas across repeats; an empty token is an error', () => {
    expect(parseFilterPatterns(['http.*, llm.model', 'error.*'])).toEqual(['http.*', 'llm.model', 'error.*']);
    expect(failure(() => parseFilterPatterns(['http.method,'])).message).toBe('Filter contains empty tokens.');
  });
});

describe('--where', () => {
  it('accepts planoai filters and the richer grammar', () => {
    expect(() => checkWhereFilters(['tenant.id=acme-corp', 'error.message=rate limit exceeded', 'http.status_code>=500 OR duration>2s'])).not.toThrow();
  });

  it('planoai-shaped mistakes get planoai’s message, all of them at once', () => {
    expect(failure(() => checkWhereFilters(['bad-format'])).message).toBe('Invalid --where filter(s): bad-format. Use key=value.');
    expect(failure(() => checkWhereFilters(['ok=1', 'x==', 'bad key=1', '=v'])).message).toBe(invalidWhereMessage(['x==', 'bad key=1', '=v']));
  });

  it('grammar mistakes get the filter, a caret under the column and the message', () => {
    const err = failure(() => checkWhereFilters(['http.status_code>=']));
    expect(err.message).toBe("--where: expected a value after '>=' at column 19");
    expect(err.details).toEqual(['  http.status_code>=', `  ${' '.repeat(18)}^`]);
  });

  it('numbers the filter when several are given', () => {
    const err = failure(() => checkWhereFilters(['tenant.id=acme', 'tenant.id=acme AND (status=error']));
    expect(err.message).toMatch(/^--where #2: /);
    expect(err.details[0]).toBe('  tenant.id=acme AND (status=error');
  });

  it('type and enum mistakes get their caret without asking the server, even in planoai shape', () => {
    const err = failure(() => checkWhereFilters(['tenant.id=acme-corp', 'kind=sideways']));
    expect(err.message).toBe("--where #2: unknown span kind 'sideways' (expected unspecified, internal, server, client, producer, consumer) at column 6");
    expect(err.details).toEqual(['  kind=sideways', '       ^^^^^^^^']);
    const duration = failure(() => checkWhereFilters(['duration=fast']));
    expect(duration.message).toBe("--where: expected a duration such as 250ms or 1.5s after '=' at column 10");
    expect(duration.details).toEqual(['  duration=fast', `  ${' '.repeat(9)}^^^^`]);
  });

  it('every filter with a problem is shown, syntax and type alike', () => {
    const err = failure(() => checkWhereFilters(['status>=1', 'a>=', 'name=x']));
    expect(err.message).toBe('--where #1: status supports only = and != at column 9');
    expect(err.details).toEqual(['  status>=1', `  ${' '.repeat(8)}^`, '', "--where #2: expected a value after '>=' at column 4", '  a>=', '     ^']);
  });

  it('a planoai-shaped syntax mistake still wins over a type mistake in another filter', () => {
    expect(failure(() => checkWhereFilters(['kind=foo', 'bad-format'])).message).toBe(invalidWhereMessage(['bad-format']));
  });

  it('tells planoai shapes from grammar shapes', () => {
    expect(looksPlanoaiShaped('key=value')).toBe(true);
    expect(looksPlanoaiShaped('bad-format')).toBe(true);
    expect(looksPlanoaiShaped('a>=1')).toBe(false);
    expect(looksPlanoaiShaped('a=1 AND')).toBe(false);
    expect(looksPlanoaiShaped('service="x')).toBe(false);
  });

  it('caret lines underline the reported length, clipped to the text', () => {
    expect(caretLines('kind=sideways', 6, 8)).toEqual(['  kind=sideways', '       ^^^^^^^^']);
    expect(caretLines('a=', 3, 1)).toEqual(['  a=', '    ^']);
    expect(caretLines('a\tb', 3, 1)).toEqual(['  a b', '    ^']);
  });
});

describe('planTrace', () => {
  it('checks in planoai’s order: --filter before --where before --limit before the target', () => {
    expect(failure(() => planTrace('abc', { filter: ['a,'], where: ['bad'], limit: '-1' })).message).toBe(MESSAGES.emptyFilterToken);
    expect(failure(() => planTrace('abc', { where: ['bad'], limit: '-1' })).message).toMatch(/^Invalid --where/);
    expect(failure(() => planTrace('abc', { limit: '-1' })).message).toBe(MESSAGES.negativeLimit);
  });

  it('takes the server from --url, else TRACEDECK_URL, else localhost:3000', () => {
    expect(planTrace(undefined, {}).baseUrl).toBe('http://localhost:3000');
    expect(planTrace(undefined, {}, { TRACEDECK_URL: 'http://td:4000/' }).baseUrl).toBe('http://td:4000');
    expect(planTrace(undefined, { url: 'https://x.example/base/' }, { TRACEDECK_URL: 'http://td:4000' }).baseUrl).toBe('https://x.example/base');
    expect(failure(() => planTrace(undefined, { url: 'localhost:3000' })).message).toMatch(/--url/);
  });
});
