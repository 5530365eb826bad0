/** How a duration change reads: signed, with its share of A's duration, and whether it is slower or faster. */
import { formatDurationMs } from '@/lib/format';

export type DeltaTone = 'slower' | 'faster' | 'same';

export function deltaTone(deltaMs: number): DeltaTone {
  return deltaMs > 0 ? 'slower' : deltaMs < 0 ? 'faster' : 'same';
}

export function deltaText(deltaMs: number, baseMs: number): string {
  if (deltaMs === 0) return '±0';
  const sign = deltaMs > 0 ? '+' : '−';
  const share = baseMs > 0 ? ` (${sign}${Math.round((Math.abs(deltaMs) / baseMs) * 100)}%)` : '';
  return `${sign}${formatDurationMs(Math.abs(deltaMs))}${share}`;
}
