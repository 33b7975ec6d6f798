import type { CatalogTag } from '../core/catalog.js';
import { printable } from '../core/echoed-text.js';
import type { ImportReason } from '../core/errors.js';
import type { TagCondition, TagItem, TagState } from '../core/state-model.js';
import type { ImageRepository } from '../registry/repository.js';
import { mapConcurrent } from './concurrency.js';
import { resolveItem } from './resolve-item.js';

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
  const items = await mapConcurrent(images, 4, async (image): Promise<TagItem | undefined> => {
    try {
      const planned = await resolveItem(repo, tag, await repo.getManifest(image.image));
      return { created: image.created, generation: image.generation, ...planned };
    } catch (error) {
      missing.push({ image: image.image, reason: (error as Error).message });
      return undefined;
    }
  });
  const found = items.filter((item): item is TagItem => item !== undefined);
  if (!items[0]) return { missing };
  return { value: { spec: tag.spec, items: found, conditions: failures.map(condition) }, missing };
}

function condition(failure: RecordedFailure): TagCondition {
  const reason = REASONS.find((r) => r === failure.reason) ?? 'InternalError';
  return {
    type: 'ImportSuccess',
    status: 'False',
    reason,
    message: printable(failure.message),
    generation: failure.generation,
    lastTransitionTime: failure.lastTransitionTime,
  };
}
