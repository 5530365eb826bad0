/**
 * A value built from a settings file (TRACEDECK_CONFIG, TRACEDECK_PRICES) that follows the
 * file while the server runs: the file's mtime and size are checked at most every
 * RECHECK_MS, and the value is rebuilt when they changed. No file watcher: a stat every
 * 2 s costs nothing and works on every filesystem, and no request pays a stat of its own.
 */
import fs from 'node:fs';
import type { ServerConfig } from './config';

export const RECHECK_MS = 2000;

/** mtime and size of the file, 'missing' when it cannot be read, '' when none is configured. */
export function fileStamp(file: string | null): string {
  if (!file) return '';
  try {
    const st = fs.statSync(/* turbopackIgnore: true */ file);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

/**
 * A getter of the value for a configuration, built by `build` and rebuilt when the file
 * `fileOf(config)` changes. Kept per configuration object: a reset configuration (tests)
 * starts afresh. `nowMs` is for tests.
 */
export function reloadedFromFile<T>(fileOf: (config: ServerConfig) => string | null, build: (config: ServerConfig) => T) {
  const loaded = new WeakMap<ServerConfig, { value: T; stamp: string; checkedAt: number }>();
  return (config: ServerConfig, nowMs = Date.now()): T => {
    const file = fileOf(config);
    const current = loaded.get(config);
    if (current && (!file || nowMs - current.checkedAt < RECHECK_MS)) return current.value;
    const stamp = fileStamp(file);
    if (current && stamp === current.stamp) {
      current.checkedAt = nowMs;
      return current.value;
    }
    const value = build(config);
    loaded.set(config, { value, stamp, checkedAt: nowMs });
    return value;
  };
}
