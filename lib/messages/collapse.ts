/** Long message content folds to its first lines; the panel offers the rest on a click. */
export type Collapsed = { head: string; hiddenChars: number; hiddenLines: number };

export const COLLAPSE_AT = { chars: 600, lines: 10 };

/** The head of `text` to show folded (cut at a line end when one is near), and how much is hidden. */
export function collapseText(text: string, limits = COLLAPSE_AT): Collapsed {
  const lines = text.split('\n');
  if (text.length <= limits.chars && lines.length <= limits.lines) return { head: text, hiddenChars: 0, hiddenLines: 0 };
  let head = lines.slice(0, limits.lines).join('\n');
  if (head.length > limits.chars) {
    const cut = head.lastIndexOf('\n', limits.chars);
    head = head.slice(0, cut > limits.chars / 2 ? cut : limits.chars);
  }
  const rest = text.slice(head.length);
  return { head, hiddenChars: rest.length, hiddenLines: rest.split('\n').length - 1 };
}
