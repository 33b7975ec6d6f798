import type { RegistrySettings } from '../core/catalog.js';

/** Tags planned or imported at once unless the catalog's registries allow more, or the command line says. */
const DEFAULT_TAG_CONCURRENCY = 16;
/** The most tags in flight the registries' limits raise it to. */
const MOST_TAG_CONCURRENCY = 256;

/**
 * Tags planned or imported at once: `requested` (--concurrency) when given, else 16 or, when the catalog's registries
 * allow more requests in flight (the sum of their `maxConcurrency`), as many, so that raising a registry's limit is
 * enough to use it. Each registry's own limit still holds its requests.
 */
export function tagConcurrency(
  registries: readonly Pick<RegistrySettings, 'maxConcurrency'>[],
  requested?: number,
): number {
  if (requested !== undefined) return requested;
  const allowed = registries.reduce((sum, registry) => sum + (registry.maxConcurrency ?? 0), 0);
  return Math.max(DEFAULT_TAG_CONCURRENCY, Math.min(allowed, MOST_TAG_CONCURRENCY));
}

/** Runs `task` over `items` with at most `limit` running at once; results keep the input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
