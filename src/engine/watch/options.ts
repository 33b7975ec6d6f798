import type { Catalog, CatalogTag } from '../../core/catalog.js';
import type { StreamDiscovery } from '../../core/discovery.js';
import type { LockInfo } from '../../core/errors.js';
import type { ImageRepository } from '../../registry/repository.js';
import type { Discoverer } from '../discover.js';
import type { LocalStore } from '../local-store.js';
import type { Clock } from './clock.js';
import type { WatchEvent } from './events.js';
import type { TagJob } from './scheduler.js';

/** A loaded catalog with the repositories its tags import from (the CLI's catalog context is one). */
export interface WatchedCatalog {
  catalog: Catalog;
  openTag(tag: CatalogTag): ImageRepository;
  /** Lists a discovery's repository (with the catalog's registry settings); without it, nothing is listed. */
  discover?: Discoverer;
  /** The credentials files its repositories read, as they were when it was loaded; without it, none is followed. */
  credentials?: WatchedCredentials;
  close(): Promise<void>;
}

/** Credentials files, followed so that a new catalog generation reads them again when what one holds changes. */
export interface WatchedCredentials {
  paths: readonly string[];
  /** A digest of what each file held, by path. */
  digests: ReadonlyMap<string, string>;
}

/** The catalog a check runs against and the repositories its tags import from. */
export interface TagCheckContext {
  catalog: Catalog;
  openTag(tag: CatalogTag): ImageRepository;
  /** Where `referencePolicy: Local` tags are mirrored (the catalog's `local`), if it has one. */
  local?: LocalStore;
  clock: Clock;
  /** How often to try the state lock again while another process holds it. */
  lockPollMs: number;
  onLockWait(address: string, holder: LockInfo | null): void;
}

/** What listing a discovery's repository runs against. */
export interface ListingContext extends Omit<TagCheckContext, 'openTag' | 'local'> {
  /** The catalog as loaded, with its discoveries. */
  catalog: Catalog;
  discover: Discoverer;
}

/**
 * Starts listing a discovery's repository and forgetting the tags that left its window (operations'
 * startListing); tests pass their own.
 */
export type StartListing = (discovery: StreamDiscovery, context: ListingContext, stop: AbortSignal) => TagJob;

/** Starts a check of `tag`: refresh, lock, import (operations' startTagCheck); tests pass their own. */
export type StartCheck = (tag: CatalogTag, context: TagCheckContext, stop: AbortSignal) => TagJob;

export interface WatchOptions {
  /** The catalog as loaded at start. */
  initial: WatchedCatalog;
  /**
   * Loads the catalog file and its credentials again; throws when the file is now invalid (CatalogError), or when a
   * credentials file that changed since `current` was loaded cannot be used (CredentialsError).
   */
  reload(current: WatchedCatalog): Promise<WatchedCatalog>;
  /** Reports possible changes of the catalog file (and of each credentials file); returns a function that stops watching. */
  watchCatalog?: (path: string, onChange: () => void) => () => void;
  /** Overrides every tag's scheduleInterval. */
  intervalMs?: number;
  /** One pass over the scheduled tags, then stop. */
  once?: boolean;
  /** Scheduled import attempts started per minute at most (OpenShift's default 60); 0: no limit. */
  importsPerMinute?: number;
  /** Tags checked at once. */
  concurrency?: number;
  /** After a stop, how long running imports may take to finish before they are abandoned. */
  stopGraceMs?: number;
  lockPollMs?: number;
  clock?: Clock;
  random?: () => number;
  startCheck: StartCheck;
  /** Without it, discoveries are not listed: their tags are followed as the state has them. */
  startListing?: StartListing;
  onEvent?: (event: WatchEvent) => void;
}

export interface WatchSummary {
  checks: number;
  imported: number;
  failed: number;
  abandoned: number;
  /** With `once`: scheduled tags that were never checked because the pass was stopped. */
  unchecked: number;
}
