import type { State, TagItem } from '../../core/state-model.js';
import type { RegistryLocation } from '../../registry/repository.js';
import { type LocalStore, openable } from '../local-store.js';

/** A repository of the local store that earlier runs mirrored images into, from which source repositories. */
interface MirroredRepository {
  location: RegistryLocation;
  sources: Set<string>;
  /** When its newest mirrored item was imported (milliseconds since the epoch). */
  newest: number;
}

/**
 * Where the blobs of an image about to be mirrored probably are already, as far as the state tells: the repositories
 * of the local registry that other streams' items were mirrored into. Those mirrored from the same source repository
 * come first (images of one repository share layers), the most recently mirrored first.
 */
export class MountSources {
  private readonly mirrored = new Map<string, MirroredRepository>();

  constructor(state: State, store: LocalStore) {
    if (store.kind !== 'registry') return;
    for (const [stream, { tags }] of Object.entries(state.streams)) {
      const target = openable(store, stream);
      if (!target?.location) continue;
      const stored = (item: TagItem) => item.dockerImageReference === target.pullSpec(item.digest);
      const items = Object.values(tags).flatMap((t) => t.items.filter(stored));
      if (items.length > 0) this.mirrored.set(stream, summary(target.location, items));
    }
  }

  /** The likeliest for an image of `sourceRepository` (its pull spec without the digest) mirrored into `stream`. */
  likeliest(stream: string, sourceRepository: string): RegistryLocation | undefined {
    let best: MirroredRepository | undefined;
    for (const [name, candidate] of this.mirrored)
      if (name !== stream && (!best || likelier(candidate, best, sourceRepository))) best = candidate;
    return best?.location;
  }
}

/** The repository a pull spec by digest names: `registry.local:5000/mirror/app@sha256:…` → without `@sha256:…`. */
export function repositoryOfPullSpec(pullSpec: string): string {
  const at = pullSpec.lastIndexOf('@');
  return at < 0 ? pullSpec : pullSpec.slice(0, at);
}

function summary(location: RegistryLocation, items: TagItem[]): MirroredRepository {
  const sources = new Set(
    items.flatMap((i) => (i.sourceImageReference ? [repositoryOfPullSpec(i.sourceImageReference)] : [])),
  );
  const newest = items.reduce((latest, i) => Math.max(latest, Date.parse(i.created)), 0);
  return { location, sources, newest };
}

function likelier(a: MirroredRepository, b: MirroredRepository, sourceRepository: string): boolean {
  const same = (r: MirroredRepository) => r.sources.has(sourceRepository);
  return same(a) !== same(b) ? same(a) : a.newest > b.newest;
}
