/**
 * Terminal colours for `tracedeck trace` without a colour library: plain ANSI
 * SGR sequences, truecolor when the terminal has it, else the nearest 256- or
 * 16-colour code. Colours are on only for a terminal, and NO_COLOR (any
 * non-empty value) always turns them off; FORCE_COLOR forces them on.
 */

export type Style = {
  /** `#rrggbb` or one of the basic names below. */
  fg?: string;
  /** Basic name used instead of a hex `fg` on a 16-colour terminal (else the nearest one is picked). */
  fg16?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
};

export type Painter = {
  readonly enabled: boolean;
  paint(text: string, style: Style): string;
};

/** How many colours the output takes: 0 (none), 4 (16 colours), 8 (256) or 24 (truecolor). */
export type ColorDepth = 0 | 4 | 8 | 24;

const BASIC: Record<string, [code: number, rgb: [number, number, number]]> = {
  black: [30, [0, 0, 0]],
  red: [31, [205, 0, 0]],
  green: [32, [0, 205, 0]],
  yellow: [33, [205, 205, 0]],
  blue: [34, [0, 0, 238]],
  magenta: [35, [205, 0, 205]],
  cyan: [36, [0, 205, 205]],
  white: [37, [229, 229, 229]],
  grey: [90, [127, 127, 127]],
  bright_red: [91, [255, 0, 0]],
  bright_green: [92, [0, 255, 0]],
  bright_yellow: [93, [255, 255, 0]],
  bright_blue: [94, [92, 92, 255]],
  bright_magenta: [95, [255, 0, 255]],
  bright_cyan: [96, [0, 255, 255]],
  bright_white: [97, [255, 255, 255]],
};

function hexToRgb(hex: string): [number, number, number] | null {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) return null;
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function nearestBasic([r, g, b]: [number, number, number]): number {
  let best = 37;
  let bestDistance = Infinity;
  for (const [code, [br, bg, bb]] of Object.values(BASIC)) {
    const d = (r - br) ** 2 + (g - bg) ** 2 + (b - bb) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = code;
    }
  }
  return best;
}

/** xterm 256-colour index of the 6×6×6 cube (or the grey ramp) nearest to the colour. */
function nearest256([r, g, b]: [number, number, number]): number {
  const level = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.floor((v - 35) / 40));
  if (Math.max(r, g, b) - Math.min(r, g, b) < 10) {
    const grey = Math.round(((r + g + b) / 3 - 8) / 10);
    if (grey < 0) return 16;
    if (grey > 23) return 231;
    return 232 + grey;
  }
  return 16 + 36 * level(r) + 6 * level(g) + level(b);
}

function fgCodes(color: string, depth: ColorDepth): string | null {
  const basic = BASIC[color];
  if (basic) return String(basic[0]);
  const rgb = hexToRgb(color);
  if (!rgb) return null;
  if (depth >= 24) return `38;2;${rgb[0]};${rgb[1]};${rgb[2]}`;
  if (depth >= 8) return `38;5;${nearest256(rgb)}`;
  return String(nearestBasic(rgb));
}

export function createPainter(depth: ColorDepth): Painter {
  if (depth === 0) return { enabled: false, paint: (text) => text };
  return {
    enabled: true,
    paint(text, style) {
      const codes: string[] = [];
      if (style.bold) codes.push('1');
      if (style.dim) codes.push('2');
      if (style.italic) codes.push('3');
      const fg = style.fg ? fgCodes(depth < 8 && style.fg16 ? style.fg16 : style.fg, depth) : null;
      if (fg) codes.push(fg);
      if (codes.length === 0 || text === '') return text;
      return `\x1b[${codes.join(';')}m${text}\x1b[0m`;
    },
  };
}

export const plainPainter: Painter = createPainter(0);

/**
 * Colour depth for a stream: 0 when colours are off (NO_COLOR, TERM=dumb, not a
 * terminal), else what the terminal reports. FORCE_COLOR=0 turns colours off,
 * FORCE_COLOR=1/2/3 forces 16/256/truecolor even when output is piped.
 */
export function detectColorDepth(stream: { isTTY?: boolean; getColorDepth?: () => number }, env: Record<string, string | undefined>): ColorDepth {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    return force === '3' ? 24 : force === '2' ? 8 : 4;
  }
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  const depth = stream.getColorDepth?.() ?? 4;
  return depth >= 24 ? 24 : depth >= 8 ? 8 : 4;
}

/** Removes ANSI SGR sequences (for widths and tests). */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
