import type { DiscoveredTags, StreamDiscovery } from './discovery.js';
import {
  type Candidate,
  type Ordering,
  OUT_OF_RANGE,
  orderingOf,
  type RankValue,
  UNORDERED,
} from './discovery-order.js';
import { FILTERED, tagFilter, UNCAPTURED } from './discovery-patterns.js';

type Selected = Pick<StreamDiscovery, 'include' | 'capture' | 'exclude' | 'policy' | 'keep'>;

/**
 * The newest `keep` tags of a repository's listing under a discovery's filters and policy, read page by page:
 * only the tags kept so far are held, however many are listed. Tags that are not versions (or numbers) under a
 * semver (or numerical) policy are counted, not errors.
 */
export async function selectDiscovered(
  discovery: Selected,
  pages: AsyncIterable<readonly string[]>,
): Promise<DiscoveredTags> {
  const selection = new Selection(discovery);
  for await (const page of pages) {
    for (const tag of page) selection.offer(tag);
  }
  return selection.result();
}

/** The same choice as selectDiscovered, of tags already at hand. */
export function selectDiscoveredFrom(discovery: Selected, tags: Iterable<string>): DiscoveredTags {
  const selection = new Selection(discovery);
  for (const tag of tags) selection.offer(tag);
  return selection.result();
}

class Selection {
  private readonly filter: ReturnType<typeof tagFilter>;
  private readonly ordering: Ordering;
  private readonly window: NewestFirst;
  private readonly counts = { listed: 0, filtered: 0, unordered: 0, outOfRange: 0 };

  constructor(discovery: Selected) {
    this.filter = tagFilter(discovery);
    this.ordering = orderingOf(discovery.policy);
    this.window = new NewestFirst(discovery.keep, this.ordering);
  }

  offer(tag: string): void {
    this.counts.listed++;
    // A listing is a registry's JSON: anything but a string is left out rather than trusted.
    const key = typeof tag === 'string' ? this.filter(tag) : FILTERED;
    if (key === FILTERED) this.counts.filtered++;
    else if (key === UNCAPTURED) this.counts.unordered++;
    else {
      const rank = this.ordering.rank(key);
      if (rank === UNORDERED) this.counts.unordered++;
      else if (rank === OUT_OF_RANGE) this.counts.outOfRange++;
      else this.window.offer(tag, rank);
    }
  }

  result(): DiscoveredTags {
    return { kept: this.window.tags(), ...this.counts };
  }
}

/**
 * At most `limit` candidates, newest first; a tag listed twice is held once. A tag offered is compared as one reused
 * candidate, and one that enters a full window takes over the object of the one it pushes out: a listing in
 * ascending order, where nearly every tag enters, builds no object per tag.
 */
class NewestFirst {
  private readonly held: Candidate[] = [];
  private readonly offered: Candidate = { tag: '', value: '' };

  constructor(
    private readonly limit: number,
    private readonly ordering: Ordering,
  ) {}

  offer(tag: string, value: RankValue): void {
    const { held, offered, ordering } = this;
    offered.tag = tag;
    offered.value = value;
    const full = held.length >= this.limit;
    if (full && ordering.newer(offered, held[held.length - 1]!) <= 0) return;
    const at = this.firstOlderThan(offered);
    if (at > 0 && ordering.newer(held[at - 1]!, offered) === 0) return;
    const entry = full ? held.pop()! : { tag, value };
    entry.tag = tag;
    entry.value = ordering.held(value, full ? entry.value : undefined);
    for (let i = held.length; i > at; i--) held[i] = held[i - 1]!;
    held[at] = entry;
  }

  tags(): string[] {
    return this.held.map((candidate) => candidate.tag);
  }

  /** The index of the first held candidate older than `candidate` (binary search: `held` is newest first). */
  private firstOlderThan(candidate: Candidate): number {
    let low = 0;
    let high = this.held.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.ordering.newer(candidate, this.held[middle]!) > 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
