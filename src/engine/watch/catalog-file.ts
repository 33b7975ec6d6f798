import { type FSWatcher, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface CatalogFileWatchOptions {
  /** Changes closer together than this are reported once. */
  debounceMs?: number;
  /** Polling period of the fallback that also catches what directory events miss. */
  pollMs?: number;
}

/**
 * Calls `onChange` (debounced) when the file at `path` may have changed: directory events for the file itself and
 * for `..`-prefixed names (a Kubernetes ConfigMap volume swaps its `..data` link), plus a stat poll as a fallback
 * where directory events do not work. Returns a function that stops watching.
 */
export function watchCatalogFile(
  path: string,
  onChange: () => void,
  options: CatalogFileWatchOptions = {},
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, options.debounceMs ?? 200);
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
