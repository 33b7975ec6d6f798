import type { CatalogTag } from '../core/catalog.js';
import { RegistryError } from '../core/errors.js';
import { isFollowingChange } from '../core/following-changes.js';
import type { Plan, PlannedCopy } from '../core/plan-model.js';
import { computePlan, type PlanInput } from '../core/planner.js';
import type { ImageRepository } from '../registry/repository.js';
import { importedOrigin } from './apply-references.js';
import { mapConcurrent } from './concurrency.js';
import type { LocalStore } from './local-store.js';
import { DestinationChecks, planCopy } from './mirror/plan.js';

/** Where the Local followers' images are read from and copied to. */
export interface FollowerCopyOptions {
  /** The catalog's imported tags (discovered ones included): the followers' images come from their repositories. */
  tags: readonly CatalogTag[];
  local: LocalStore | undefined;
  openTag: (tag: CatalogTag) => ImageRepository;
  concurrency: number;
}

/**
 * computePlan, with what the Local tags that follow others copy into the local store (computed again only when the
 * plan changes such a tag).
 */
export async function planWithFollowerCopies(input: PlanInput, options: FollowerCopyOptions): Promise<Plan> {
  const plan = computePlan(input);
  const followerCopies = await findFollowerCopies(plan, options);
  return followerCopies.size === 0 ? plan : computePlan({ ...input, followerCopies });
}

/**
 * What each Local tag that follows another and changes in `plan` would copy into its own repository of the local
 * store as the store is now: its image, read from the repository of the imported tag it comes from, as apply reads
 * it. A follower whose image cannot be read there, or whose origin the plan does not hold, gets no estimate: apply
 * reports what becomes of it.
 */
async function findFollowerCopies(
  plan: Plan,
  { tags, local, openTag, concurrency }: FollowerCopyOptions,
): Promise<Map<string, PlannedCopy>> {
  const followers = plan.changes
    .filter(isFollowingChange)
    .filter((c) => c.spec?.referencePolicy === 'Local' && (c.action === 'create' || c.action === 'update'));
  if (!local || followers.length === 0) return new Map();
  const changes = new Map(plan.changes.map((c) => [c.address, c]));
  const imported = new Map(tags.map((t) => [t.address, t]));
  const checks = new DestinationChecks();
  const found = await mapConcurrent(followers, concurrency, async (change) => {
    try {
      const origin = imported.get(importedOrigin(change, changes).address);
      if (!origin || !change.after) return undefined;
      const image = { digest: change.after.digest, tag: change.tag };
      return await planCopy(openTag(origin), local.open(change.stream), image, undefined, checks);
    } catch (error) {
      if (error instanceof RegistryError) return undefined;
      throw error;
    }
  });
  return new Map(followers.flatMap((c, i) => (found[i] ? [[c.address, found[i]] as const] : [])));
}
