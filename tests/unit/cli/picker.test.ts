import { describe, expect, it } from 'vitest';
import { type PickerState, QUESTION, pickerFrame, pickerStep } from '../../../cli/trace/picker';
import { plainPainter } from '../../../cli/trace/style';

const at = (index: number, top = 0): PickerState => ({ index, top });

describe('picker keys', () => {
  it('moves with arrows and j/k, wrapping at both ends', () => {
    expect(pickerStep(at(0), { name: 'down' }, 5, 3)).toEqual({ kind: 'move', state: at(1) });
    expect(pickerStep(at(1), { name: 'k' }, 5, 3)).toEqual({ kind: 'move', state: at(0) });
    expect(pickerStep(at(0), { name: 'up' }, 5, 3)).toEqual({ kind: 'move', state: at(4, 2) });
    expect(pickerStep(at(4, 2), { name: 'down' }, 5, 3)).toEqual({ kind: 'move', state: at(0, 0) });
  });

  it('scrolls the window to keep the selection visible; PgDn/End/Home jump', () => {
    expect(pickerStep(at(2), { name: 'down' }, 10, 3)).toEqual({ kind: 'move', state: at(3, 1) });
    expect(pickerStep(at(0), { name: 'pagedown' }, 10, 3)).toEqual({ kind: 'move', state: at(3, 1) });
    expect(pickerStep(at(0), { name: 'end' }, 10, 3)).toEqual({ kind: 'move', state: at(9, 7) });
    expect(pickerStep(at(9, 7), { name: 'home' }, 10, 3)).toEqual({ kind: 'move', state: at(0, 0) });
  });

  it('Enter selects; Esc, q and Ctrl-C cancel; other keys are ignored', () => {
    expect(pickerStep(at(2), { name: 'return' }, 5, 3)).toEqual({ kind: 'select', index: 2 });
    expect(pickerStep(at(2), { name: 'escape' }, 5, 3)).toEqual({ kind: 'cancel' });
    expect(pickerStep(at(2), { name: 'q' }, 5, 3)).toEqual({ kind: 'cancel' });
    expect(pickerStep(at(2), { name: 'c', ctrl: true }, 5, 3)).toEqual({ kind: 'cancel' });
    expect(pickerStep(at(2), { name: 'x' }, 5, 3)).toEqual({ kind: 'ignore' });
  });
});

describe('picker frame', () => {
  it('shows the question, the visible choices with a pointer, and the position when scrolled', () => {
    const labels = ['a', 'b', 'c', 'd'];
    const lines = pickerFrame(labels, at(2, 1), 3, plainPainter);
    expect(lines[0]).toContain(QUESTION);
    expect(lines.slice(1)).toEqual(['  b', '❯ c', '  d', '  (3/4)']);
    expect(pickerFrame(['a', 'b'], at(0), 2, plainPainter).slice(1)).toEqual(['❯ a', '  b']);
  });

  it('clips labels to the terminal width', () => {
    const [, line] = pickerFrame(['x'.repeat(100)], at(0), 1, plainPainter, 40);
    expect(Array.from(line).length).toBeLessThanOrEqual(40);
    expect(line.endsWith('…')).toBe(true);
  });
});
