import type { DiscoveredTags, StreamDiscovery } from './discovery.js';
import { type Candidate, type Ordering, orderingOf } from './discovery-order.js';
import { FILTERED, tagFilter } from './discovery-patterns.js';

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
    const outcome = typeof tag === 'string' ? this.filter(tag) : FILTERED;
    if (outcome.kind === 'filtered') this.counts.filtered++;
    else if (outcome.kind === 'uncaptured') this.counts.unordered++;
    else {
      const rank = this.ordering.rank(outcome.key);
      if (rank.kind === 'unordered') this.counts.unordered++;
      else if (rank.kind === 'outOfRange') this.counts.outOfRange++;
      else this.window.offer({ tag, value: rank.value });
    }
  }

  result(): DiscoveredTags {
    return { kept: this.window.tags(), ...this.counts };
  }
}

/** At most `limit` candidates, newest first; a tag listed twice is held once. */
class NewestFirst {
  private readonly held: Candidate[] = [];

  constructor(
    private readonly limit: number,
    private readonly ordering: Ordering,
  ) {}

  offer(candidate: Candidate): void {
    const { held } = this;
    const oldest = held.at(-1);
    if (held.length >= this.limit && oldest && this.ordering.newer(candidate, oldest) <= 0) return;
    const at = this.firstOlderThan(candidate);
    const before = held[at - 1];
    if (before && this.ordering.newer(before, candidate) === 0) return;
    held.splice(at, 0, candidate);
    if (held.length > this.limit) held.pop();
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
