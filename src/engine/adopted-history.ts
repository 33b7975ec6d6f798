import type { CatalogTag } from '../core/catalog.js';
import { printable } from '../core/echoed-text.js';
import type { ImportReason } from '../core/errors.js';
import type { PlannedItem } from '../core/plan-model.js';
import type { TagCondition, TagItem, TagState } from '../core/state-model.js';
import type { ImageRepository } from '../registry/repository.js';
import { mapConcurrent } from './concurrency.js';
import { manifestsWithMetadata } from './item-metadata.js';
import { resolveItem, sourceReference } from './resolve-item.js';

/** An image a cluster recorded for a tag, and a failed import it recorded. */
export interface RecordedImage {
  created: string;
  image: string;
  generation: number;
}

export interface RecordedFailure {
  reason: string;
  message: string;
  generation: number;
  lastTransitionTime: string;
}

export interface AdoptedHistory {
  /** Undefined when the newest image cannot be read: the tag's history is not adopted. */
  value?: TagState;
  /** Images of the history that could not be read from the source (deleted upstream, for one): left out. */
  missing: { image: string; reason: string }[];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const REASONS: readonly ImportReason[] = [
  'NotFound',
  'Unauthorized',
  'Forbidden',
  'TooManyRequests',
  'InvalidManifest',
  'TLSError',
  'Unreachable',
  'InternalError',
];

/**
 * A tag's history as the cluster recorded it, each image read by digest from the tag's source (and verified) to
 * learn what the state keeps of it; nothing is copied.
 */
export async function adoptedHistory(
  repo: ImageRepository,
  tag: CatalogTag,
  images: readonly RecordedImage[],
  failures: readonly RecordedFailure[],
): Promise<AdoptedHistory> {
  const missing: AdoptedHistory['missing'] = [];
  const items = await mapConcurrent(images, 4, async (image, index): Promise<TagItem | undefined> => {
    if (!RFC3339.test(image.created)) {
      missing.push({ image: image.image, reason: 'its "created" is not an RFC 3339 time' });
      return undefined;
    }
    try {
      const planned =
        (index === 0 && (await pickedFromList(repo, tag, image.image))) ||
        (await resolveItem(repo, tag, await repo.getManifest(image.image)));
      const manifests = await manifestsWithMetadata(repo, planned);
      return { ...planned, manifests, created: image.created, generation: image.generation };
    } catch (error) {
      missing.push({ image: image.image, reason: (error as Error).message });
      return undefined;
    }
  });
  const found = items.filter((item): item is TagItem => item !== undefined);
  if (!items[0]) return { missing };
  const recorded = failures.filter((f) => RFC3339.test(f.lastTransitionTime));
  const conditions = await Promise.all(recorded.map((failure) => condition(repo, failure)));
  return { value: { spec: tag.spec, items: found, conditions }, missing };
}

/** A failed import the cluster recorded; its message may repeat a credential of the registry, which is cut out. */
async function condition(repo: ImageRepository, failure: RecordedFailure): Promise<TagCondition> {
  const reason = REASONS.find((r) => r === failure.reason) ?? 'InternalError';
  return {
    type: 'ImportSuccess',
    status: 'False',
    reason,
    message: repo.shown ? await repo.shown(failure.message) : printable(failure.message),
    generation: failure.generation,
    lastTransitionTime: failure.lastTransitionTime,
  };
}

/**
 * A cluster records only the child a Legacy import picked from a list. When the source tag still names a list whose
 * pick is that child, the item is what an import now would record (the list's digest as its source): the next plan
 * then sees no move upstream.
 */
async function pickedFromList(repo: ImageRepository, tag: CatalogTag, image: string): Promise<PlannedItem | undefined> {
  if (tag.spec.importMode !== 'Legacy') return undefined;
  const current = await repo.getManifest(sourceReference(tag));
  if (current.manifest.kind !== 'index') return undefined;
  const item = await resolveItem(repo, tag, current);
  return item.digest === image ? item : undefined;
}
