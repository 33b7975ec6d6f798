import type { Catalog } from '../core/catalog.js';
import type { FollowedCredentialFiles } from '../credentials/index.js';
import { catalogRepositories } from '../engine/catalog-repositories.js';
import { changedCredentials } from '../engine/watch/credentials.js';
import { Watch, type WatchedCatalog, type WatchedCredentials, type WatchOptions } from '../engine/watch/watch.js';
import { catalogDiscovery } from './discovery.js';
import type { CatalogRepositoriesOptions } from './repositories.js';
import { startTagCheck } from './watch-check.js';
import { startListing } from './watch-discovery.js';

export interface WatchRequest extends Omit<WatchOptions, 'initial' | 'reload' | 'startCheck' | 'startListing'> {
  /** Loads the catalog file, at start and again whenever it changes. */
  loadCatalog(): Promise<Catalog>;
  repositories: CatalogRepositoriesOptions;
}

/** A watch over the catalog, not yet running; `discard` frees what it opened when it will not run. */
export interface WatchSession {
  watch: Watch;
  discard(): Promise<void>;
}

/**
 * Loads the catalog and sets up a watch whose checks import through the same path as import-image, and whose
 * listings of the streams' discovered repositories go through the same path as plan.
 */
export async function prepareWatch(request: WatchRequest): Promise<WatchSession> {
  const { loadCatalog, repositories, ...options } = request;
  const open = async (current?: WatchedCatalog): Promise<WatchedCatalog> => {
    const catalog = await loadCatalog();
    const opened = catalogRepositories(catalog, repositories);
    try {
      const credentials = await readCredentials(opened.credentialFiles, current?.credentials);
      return { ...opened, catalog, credentials, discover: catalogDiscovery(opened).discover };
    } catch (error) {
      await opened.close();
      throw error;
    }
  };
  const initial = await open();
  const watch = new Watch({ ...options, initial, reload: open, startCheck: startTagCheck, startListing });
  return { watch, discard: () => initial.close() };
}

/**
 * What the credentials files hold now. Those that changed since `current` was read are checked, so that a broken one
 * is reported instead of adopted; at start, the catalog's pull secrets and the named auth file are, as the catalog
 * itself is.
 */
async function readCredentials(
  files: FollowedCredentialFiles,
  current: WatchedCredentials | undefined,
): Promise<WatchedCredentials> {
  const now = { paths: files.paths, digests: await files.digests() };
  await files.check(current ? changedCredentials(current, now) : files.named);
  return now;
}

export { MAX_TIMER_MS } from '../engine/watch/clock.js';
export { WatchMetrics } from '../engine/watch/metrics.js';
export { DEFAULT_IMPORTS_PER_MINUTE } from '../engine/watch/rate-limit.js';
export type { WatchSummary } from '../engine/watch/watch.js';
