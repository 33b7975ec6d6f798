import { type FSWatcher, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface CatalogFileWatchOptions {
  /** Changes closer together than this are reported once. */
  debounceMs?: number;
  /** A file that keeps changing is reported at least this often all the same. */
  maxWaitMs?: number;
  /** Polling period of the fallback that also catches what directory events miss. */
  pollMs?: number;
}

/**
 * Calls `onChange` (debounced) when the file at `path` may have changed: directory events for the file itself and
 * for `..`-prefixed names (a Kubernetes ConfigMap volume swaps its `..data` link), plus a stat poll as a fallback
 * where directory events do not work; a file rewritten without a pause (a secret rotated in a loop) is still
 * reported every `maxWaitMs`. Returns a function that stops watching.
 */
export function watchCatalogFile(
  path: string,
  onChange: () => void,
  options: CatalogFileWatchOptions = {},
): () => void {
  const debounceMs = options.debounceMs ?? 200;
  const maxWaitMs = options.maxWaitMs ?? 10 * debounceMs;
  let timer: NodeJS.Timeout | undefined;
  let firstUnreported: number | undefined;
  const report = () => {
    firstUnreported = undefined;
    onChange();
  };
  const changed = () => {
    const now = Date.now();
    firstUnreported ??= now;
    clearTimeout(timer);
    timer = setTimeout(report, Math.max(0, Math.min(debounceMs, firstUnreported + maxWaitMs - now)));
  };
  const name = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file === null || file === name || String(file).startsWith('..')) changed();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  watchFile(path, { interval: options.pollMs ?? 2000, persistent: false }, changed);
  return () => {
    watcher?.close();
    unwatchFile(path, changed);
    clearTimeout(timer);
  };
}
