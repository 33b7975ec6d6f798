import type { CatalogTag } from '../../core/catalog.js';
import type { StreamDiscovery } from '../../core/discovery.js';
import { specEquals } from '../../core/planner.js';
import type { ImageSourceReference } from '../../core/reference.js';

/** A stream's discovery as watch schedules it: its repository is listed again every interval. */
export interface ListedDiscovery {
  /** The stream's name: no tag address has the same (addresses are `stream:tag`). */
  address: string;
  source: ImageSourceReference;
  discovery: StreamDiscovery;
}

/** What watch checks on a schedule: a scheduled tag against its upstream, or a discovery's repository. */
export type WatchSubject = CatalogTag | ListedDiscovery;

export function isDiscovery(subject: WatchSubject): subject is ListedDiscovery {
  return 'discovery' in subject;
}

export function listedDiscovery(discovery: StreamDiscovery): ListedDiscovery {
  return { address: discovery.stream, source: discovery.source, discovery };
}

/** True when the subject is checked the same way: a tag's spec, or a discovery's settings, are unchanged. */
export function sameSpec(a: WatchSubject, b: WatchSubject): boolean {
  if (isDiscovery(a) || isDiscovery(b)) {
    return isDiscovery(a) && isDiscovery(b) && sameDiscovery(a.discovery, b.discovery);
  }
  return specEquals(a.spec, b.spec);
}

/** True when two discoveries list the same repository with the same policy and settings (wherever written). */
export function sameDiscovery(a: StreamDiscovery, b: StreamDiscovery): boolean {
  const { location: _a, ...left } = a;
  const { location: _b, ...right } = b;
  return JSON.stringify(left) === JSON.stringify(right);
}

/** The registry host a subject asks, which a Retry-After holds back; a layout on disk has none. */
export function registryOf(subject: WatchSubject): string | undefined {
  return subject.source.transport === 'registry' ? subject.source.ref.registry : undefined;
}
