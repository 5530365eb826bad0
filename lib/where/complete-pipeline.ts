/**
 * Autocomplete context inside a query's pipeline (after `|`, see ./pipeline.ts):
 * where an aggregate name goes (and, right after `|` or `spans`, `by(` and `spans`),
 * and where a key goes (inside `by(…)` and an aggregate's parentheses). Called by
 * ./complete.ts for texts read as queries. Pure; never throws.
 *
 *   a=1 | |              aggregate   head: spans, by( also fit
 *   | by(llm.m|          key         prefix `llm.m`
 *   | by(llm.model) p9|  aggregate   prefix `p9`
 *   | count(), p95(du|   key         prefix `du`
 */
import type { CompletionContext } from './complete';
import { AGGREGATE_NAMES, argumentKind } from './query-ast';
import { scanToken } from './scanner';
import type { Token } from './scanner';

/** What the aggregate list offers: each name with its parentheses (closed when it takes no argument). */
export const COMPLETION_AGGREGATES: readonly string[] = AGGREGATE_NAMES.map((name) => (argumentKind(name) === 'none' ? `${name}()` : `${name}(`));
/** Offered before the first aggregate as well. */
export const COMPLETION_PIPELINE_HEAD: readonly string[] = ['by(', 'spans'];

type State = 'head' | 'afterUnit' | 'byKey' | 'afterByKey' | 'aggregate' | 'afterName' | 'aggregateArg' | 'afterArg' | 'afterAggregate';

const isWord = (tok: Token, word: string) => tok.kind === 'word' && tok.text.toLowerCase() === word;
const isComma = (tok: Token) => tok.kind === 'unknown' && tok.text === ',';

function contextAt(state: State, prefix: string, from: number, to: number): CompletionContext {
  switch (state) {
    case 'head':
    case 'afterUnit':
      return { kind: 'aggregate', prefix, head: state === 'head' ? 'unit' : 'by', from, to };
    case 'aggregate':
      return { kind: 'aggregate', prefix, head: 'none', from, to };
    case 'byKey':
    case 'aggregateArg':
      return { kind: 'key', prefix, from, to };
    default:
      return { kind: 'none', from: to, to };
  }
}

/** The state after `tok`, or null when the text stops being a pipeline there. */
function advance(state: State, tok: Token, text: string): State | null {
  const parenNext = () => scanToken(text, tok.end).kind === 'lparen';
  switch (state) {
    case 'head':
      if (isWord(tok, 'spans') && !parenNext()) return 'afterUnit';
    // falls through: by( or an aggregate
    case 'afterUnit':
      if (isWord(tok, 'by') && parenNext()) return 'afterName';
    // falls through
    case 'aggregate':
      return tok.kind === 'word' ? 'afterName' : null;
    case 'afterName':
      return tok.kind === 'lparen' ? 'aggregateArg' : null;
    case 'aggregateArg':
      return tok.kind === 'word' ? 'afterArg' : tok.kind === 'rparen' ? 'afterAggregate' : null;
    case 'afterArg':
      return tok.kind === 'rparen' ? 'afterAggregate' : null;
    case 'byKey':
      return tok.kind === 'word' ? 'afterByKey' : null;
    case 'afterByKey':
      return isComma(tok) ? 'byKey' : tok.kind === 'rparen' ? 'aggregate' : null;
    case 'afterAggregate':
      return isComma(tok) ? 'aggregate' : null;
  }
}

/** Context at `cursor` in the pipeline whose `|` is at `pipeAt` (cursor after it). */
export function pipelineContext(text: string, pipeAt: number, cursor: number): CompletionContext {
  let state: State = 'head';
  let pos = pipeAt + 1;
  let inBy = false;
  for (let guard = 0; guard <= text.length; guard++) {
    const tok = scanToken(text, pos);
    if (tok.kind === 'eof' || tok.start >= cursor) return contextAt(state, '', cursor, cursor);
    if (tok.end >= cursor)
      return tok.kind === 'word' ? contextAt(state, text.slice(tok.start, cursor), tok.start, tok.end) : { kind: 'none', from: cursor, to: cursor };
    let next = advance(state, tok, text);
    // `by` is read like an aggregate name; its parentheses hold keys, then aggregates follow.
    if (next === 'afterName' && isWord(tok, 'by') && (state === 'head' || state === 'afterUnit')) inBy = true;
    if (next === 'aggregateArg' && inBy) next = 'byKey';
    if (next === 'aggregate') inBy = false;
    if (next === null) return { kind: 'none', from: cursor, to: cursor };
    state = next;
    pos = tok.end;
  }
  return { kind: 'none', from: cursor, to: cursor };
}
