import type { SourceLocation } from './errors.js';
import type { ImportMode, ReferencePolicy } from './import-policy.js';
import type { ImageSourceReference } from './reference.js';

/** Which end of the order is newest: `asc` keeps the last tags in ascending order, `desc` the first. */
export type DiscoveryOrder = 'asc' | 'desc';

/** How the tags that pass the filters are ordered to pick the newest (Flux ImagePolicy's three policies). */
export type DiscoveryPolicy =
  | { kind: 'semver'; range: string }
  | { kind: 'alphabetical'; order: DiscoveryOrder }
  | { kind: 'numerical'; order: DiscoveryOrder };

/** `streams.<name>.discover` of the catalog, resolved: a repository whose tags the stream follows. */
export interface StreamDiscovery {
  stream: string;
  /** The repository listed; a registry reference without tag or digest, or an image layout. */
  source: ImageSourceReference;
  /** `from` as written, for messages. */
  from: string;
  /** Pattern a tag must match (RE2 syntax, run in linear time); absent: every tag. */
  include?: string;
  /** The named capture of `include` the policy orders on; absent: the whole tag. */
  capture?: string;
  /** A tag containing any of these substrings is left out; an entry written `/…/` is a pattern (RE2) instead. */
  exclude: string[];
  policy: DiscoveryPolicy;
  /** How many of the newest tags that pass are kept (≥ 1). */
  keep: number;
  /** When false, tags that leave the window stay in the stream instead of being planned for removal. */
  prune: boolean;
  /** The defaults discovered tags get; the stream's explicit tags keep their own. */
  importMode: ImportMode;
  referencePolicy: ReferencePolicy;
  scheduled: boolean;
  insecure: boolean;
  preferPlatform: string | null;
  /** Milliseconds between scheduled re-imports of discovered tags for `watch`. */
  scheduleIntervalMs: number;
  /** Where `discover` is written (its key). */
  location: SourceLocation;
}

/** What a listing made of a repository's tags: the kept ones and why the others were left out. */
export interface DiscoveredTags {
  /** The kept tags, newest first, at most `keep`. */
  kept: string[];
  /** Every tag the registry listed. */
  listed: number;
  /** Left out by `include` or `exclude`. */
  filtered: number;
  /**
   * Under a semver or numerical policy: tags (or captures) that are not a version or not a number; under any policy,
   * tags whose capture took no part in the match.
   */
  unordered: number;
  /** Under a semver policy: versions outside the range. */
  outOfRange: number;
}

/** Lists a repository's tags page by page, as the registry returns them. */
export type TagLister = (source: ImageSourceReference) => AsyncIterable<readonly string[]>;
