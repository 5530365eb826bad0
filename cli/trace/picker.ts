/**
 * The `--list` picker on a terminal: arrow keys (or j/k, PgUp/PgDn, Home/End)
 * move, Enter chooses, Esc / q / Ctrl-C cancel. node:readline's keypress events
 * in raw mode; the state machine and the frame are pure, for tests.
 */
import readline from 'node:readline';
import type { Painter } from './style';
import { PLANO_COLOR } from './render';

export type PickerKey = { name?: string; ctrl?: boolean; sequence?: string };
export type PickerState = { index: number; top: number };
export type PickerStep = { kind: 'move'; state: PickerState } | { kind: 'select'; index: number } | { kind: 'cancel' } | { kind: 'ignore' };

export const QUESTION = 'Select a trace to view:';
const POINTER = '❯';

/** Keeps `index` inside the visible window of `pageSize` rows starting at `top`. */
function scrolled(index: number, top: number, count: number, pageSize: number): PickerState {
  let t = top;
  if (index < t) t = index;
  if (index >= t + pageSize) t = index - pageSize + 1;
  t = Math.max(0, Math.min(t, Math.max(0, count - pageSize)));
  return { index, top: t };
}

export function pickerStep(state: PickerState, key: PickerKey, count: number, pageSize: number): PickerStep {
  if (count === 0) return { kind: 'cancel' };
  if (key.ctrl && (key.name === 'c' || key.name === 'd')) return { kind: 'cancel' };
  const move = (to: number): PickerStep => ({ kind: 'move', state: scrolled(Math.max(0, Math.min(count - 1, to)), state.top, count, pageSize) });
  switch (key.name) {
    case 'return':
    case 'enter':
      return { kind: 'select', index: state.index };
    case 'escape':
    case 'q':
      return { kind: 'cancel' };
    case 'up':
    case 'k':
      return move(state.index === 0 ? count - 1 : state.index - 1);
    case 'down':
    case 'j':
      return move(state.index === count - 1 ? 0 : state.index + 1);
    case 'pageup':
      return move(state.index - pageSize);
    case 'pagedown':
      return move(state.index + pageSize);
    case 'home':
      return move(0);
    case 'end':
      return move(count - 1);
    default:
      if (key.ctrl && key.name === 'p') return move(state.index === 0 ? count - 1 : state.index - 1);
      if (key.ctrl && key.name === 'n') return move(state.index === count - 1 ? 0 : state.index + 1);
      return { kind: 'ignore' };
  }
}

function clip(text: string, width: number): string {
  const chars = Array.from(text);
  return chars.length <= width ? text : `${chars.slice(0, Math.max(1, width - 1)).join('')}…`;
}

/** The lines of one picker frame (question, visible choices, scroll hint). */
export function pickerFrame(labels: readonly string[], state: PickerState, pageSize: number, p: Painter, columns = 80): string[] {
  const lines = [`${p.paint('?', { fg: PLANO_COLOR, bold: true })} ${p.paint(QUESTION, { bold: true })} ${p.paint('(↑/↓, Enter, Esc)', { fg: '#888888' })}`];
  const end = Math.min(labels.length, state.top + pageSize);
  for (let i = state.top; i < end; i++) {
    const label = clip(labels[i], Math.max(10, columns - 3));
    lines.push(i === state.index ? p.paint(`${POINTER} ${label}`, { fg: PLANO_COLOR, bold: true }) : `  ${label}`);
  }
  if (labels.length > pageSize) lines.push(p.paint(`  (${state.index + 1}/${labels.length})`, { fg: '#888888' }));
  return lines;
}

type TtyIn = NodeJS.ReadStream;
type TtyOut = NodeJS.WriteStream;

/** Runs the picker on a terminal; resolves to the chosen index, or null when cancelled. */
export function pickTrace(labels: readonly string[], { input, output, painter }: { input: TtyIn; output: TtyOut; painter: Painter }): Promise<number | null> {
  if (labels.length === 0) return Promise.resolve(null);
  const pageSize = Math.max(3, Math.min(labels.length, (output.rows || 24) - 3));
  let state: PickerState = { index: 0, top: 0 };
  let drawn = 0;
  const draw = (lines: string[]) => {
    if (drawn > 0) output.write(`\x1b[${drawn}A\r\x1b[0J`);
    output.write(lines.map((l) => `${l}\n`).join(''));
    drawn = lines.length;
  };

  return new Promise((resolve) => {
    readline.emitKeypressEvents(input);
    const wasRaw = input.isRaw;
    input.setRawMode?.(true);
    input.resume();
    output.write('\x1b[?25l');
    const finish = (index: number | null) => {
      input.off('keypress', onKey);
      input.setRawMode?.(wasRaw ?? false);
      input.pause();
      draw([
        index === null
          ? `${painter.paint('?', { fg: PLANO_COLOR, bold: true })} ${painter.paint(QUESTION, { bold: true })}`
          : `${painter.paint('?', { fg: PLANO_COLOR, bold: true })} ${painter.paint(QUESTION, { bold: true })} ${painter.paint(labels[index], { fg: PLANO_COLOR, bold: true })}`,
      ]);
      output.write('\x1b[?25h');
      resolve(index);
    };
    const onKey = (_text: string | undefined, key: PickerKey | undefined) => {
      const step = pickerStep(state, key ?? {}, labels.length, pageSize);
      if (step.kind === 'move') {
        state = step.state;
        draw(pickerFrame(labels, state, pageSize, painter, output.columns || 80));
      } else if (step.kind === 'select') finish(step.index);
      else if (step.kind === 'cancel') finish(null);
    };
    input.on('keypress', onKey);
    draw(pickerFrame(labels, state, pageSize, painter, output.columns || 80));
  });
}
