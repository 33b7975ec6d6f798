import { inDependencyOrder, isFollowingChange } from './following-changes.js';
import type { CopySummary, PlannedChange, PlannedCopy, PlanSummary, SizedDigest } from './plan-model.js';

/** How much a copy moves into the local store, and where to. */
export function copySummary(copy: PlannedCopy): CopySummary {
  const bytes = [...copy.manifests, ...copy.blobs].reduce((sum, d) => sum + d.size, 0);
  return {
    target: `${copy.repository}:${copy.tag}`,
    manifests: copy.manifests.length,
    blobs: copy.blobs.length,
    bytes,
  };
}

/** Totals of the copies, each manifest and blob counted once per destination repository. */
export function withCopyTotals(summary: PlanSummary, copies: readonly PlannedCopy[]): PlanSummary {
  if (copies.length === 0) return summary;
  const unique = (pick: (copy: PlannedCopy) => SizedDigest[]) => {
    const seen = new Map<string, number>();
    for (const copy of copies) for (const d of pick(copy)) seen.set(`${copy.repository}\u0000${d.digest}`, d.size);
    return seen;
  };
  const manifests = unique((c) => c.manifests);
  const blobs = unique((c) => c.blobs);
  const bytes = [...manifests.values(), ...blobs.values()].reduce((sum, size) => sum + size, 0);
  return { ...summary, copy: { manifests: manifests.size, blobs: blobs.size, bytes } };
}

/**
 * Gives the changes of Local followers what they copy into their own repository, in the order apply copies them:
 * after the imports (`copies`), each follower after the tag it follows. `found` is what each would copy as the store
 * is now; what a copy before it brings into the same repository is not copied again, and an image whose manifest
 * one brings is not copied at all. Each follower's copy is added to `copies`.
 */
export function withFollowerCopies(
  changes: readonly PlannedChange[],
  found: ReadonlyMap<string, PlannedCopy>,
  copies: PlannedCopy[],
): PlannedChange[] {
  const copied = new CopiedDigests(copies);
  const followers = changes.filter(isFollowingChange).filter((c) => c.action === 'create' || c.action === 'update');
  const left = new Map<string, PlannedCopy>();
  for (const change of inDependencyOrder(followers)) {
    const copy = found.get(change.address);
    if (!copy) continue;
    const remaining = copied.without(copy);
    copied.add(remaining);
    copies.push(remaining);
    left.set(change.address, remaining);
  }
  return changes.map((change) => {
    const copy = left.get(change.address);
    return copy ? { ...change, copy: copySummary(copy) } : change;
  });
}

/** The digests copies bring into each repository. */
class CopiedDigests {
  private readonly byRepository = new Map<string, Set<string>>();

  constructor(copies: readonly PlannedCopy[]) {
    for (const copy of copies) this.add(copy);
  }

  add(copy: PlannedCopy): void {
    let digests = this.byRepository.get(copy.repository);
    if (!digests) {
      digests = new Set();
      this.byRepository.set(copy.repository, digests);
    }
    for (const d of [...copy.manifests, ...copy.blobs]) digests.add(d.digest);
  }

  /** `copy` less what is copied into its repository already; nothing when its image's manifest is. */
  without(copy: PlannedCopy): PlannedCopy {
    const there = this.byRepository.get(copy.repository) ?? new Set<string>();
    const top = copy.manifests[0];
    if (top && there.has(top.digest)) return { ...copy, manifests: [], blobs: [] };
    const absent = (d: SizedDigest) => !there.has(d.digest);
    return { ...copy, manifests: copy.manifests.filter(absent), blobs: copy.blobs.filter(absent) };
  }
}
