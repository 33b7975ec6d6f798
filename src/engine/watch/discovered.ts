import type { Catalog, CatalogTag } from '../../core/catalog.js';
import { importReason, tagState } from '../../core/planner.js';
import type { State } from '../../core/state-model.js';
import { explicitTagNames, withDiscoveredTags } from '../discovered-catalog.js';
import { scheduledDiscoveries, scheduledTags } from '../scheduled-plan.js';
import type { WatchedTag } from './scheduler.js';
import { isDiscovery, listedDiscovery, sameDiscovery, type WatchSubject } from './subjects.js';

/** The tags each scheduled discovery keeps, by stream, as the watch last saw them. */
export type DiscoveredByStream = Map<string, CatalogTag[]>;

/** A catalog as watch follows it: the catalog loaded, and what its scheduled discoveries keep. */
export interface FollowedCatalog {
  catalog: Catalog;
  discovered: DiscoveredByStream;
}

/**
 * The discovered tags a watch starts a catalog with, until each discovery's first listing: what the previous catalog's
 * listing found for the same discovery (less the tags the catalog now writes out: those are followed as written, and
 * the next listing reports the clash, as plan does), else the tags of the state an earlier discovery made.
 * Discoveries whose tags are pinned are left out: watch never imports them.
 */
export function startingDiscovered(
  catalog: Catalog,
  state: State | null,
  previous?: FollowedCatalog,
): DiscoveredByStream {
  const discovered: DiscoveredByStream = new Map();
  for (const discovery of scheduledDiscoveries(catalog)) {
    const before = previous?.catalog.discoveries?.find((d) => d.stream === discovery.stream);
    const listed = before && sameDiscovery(before, discovery) && previous?.discovered.get(discovery.stream);
    discovered.set(
      discovery.stream,
      listed ? notWritten(catalog, discovery.stream, listed) : fromState(catalog, state, discovery.stream),
    );
  }
  return discovered;
}

function notWritten(catalog: Catalog, stream: string, tags: CatalogTag[]): CatalogTag[] {
  const written = explicitTagNames(catalog, stream);
  return tags.filter((t) => !written.has(t.tag));
}

function fromState(catalog: Catalog, state: State | null, stream: string): CatalogTag[] {
  const discovery = catalog.discoveries!.find((d) => d.stream === stream)!;
  const found = withDiscoveredTags(catalog, state, [{ discovery, outcome: { kind: 'unlisted' } }]);
  return found.catalog.tags.slice(catalog.tags.length);
}

/** The catalog checks run against: the tags written out and the discovered ones, nothing left to list. */
export function checkedCatalog({ catalog, discovered }: FollowedCatalog): Catalog {
  const { discoveries: _, ...written } = catalog;
  return { ...written, tags: [...catalog.tags, ...[...discovered.values()].flat()] };
}

/**
 * What watch schedules: each scheduled discovery (when it can list), then the scheduled tags, written out or
 * discovered, every `intervalMs` when given, else at their own interval.
 */
export function watchSubjects(followed: FollowedCatalog, listing: boolean, intervalMs?: number): WatchedTag[] {
  const discoveries = listing ? scheduledDiscoveries(followed.catalog) : [];
  return [
    ...discoveries.map((d) => ({ tag: listedDiscovery(d), intervalMs: intervalMs ?? d.scheduleIntervalMs })),
    ...scheduledTags(checkedCatalog(followed)).map((tag) => ({
      tag,
      intervalMs: intervalMs ?? tag.scheduleIntervalMs,
    })),
  ];
}

/**
 * A subject is due at once when it is new to the schedule and must be looked at whatever its upstream says: a
 * discovery (listed when the watch starts or it is added), a tag that is new or whose spec changed.
 */
export function dueNow(state: State | null): (subject: WatchSubject) => boolean {
  return (s) => isDiscovery(s) || importReason(s, tagState(state, s.stream, s.tag), new Set()) !== undefined;
}
