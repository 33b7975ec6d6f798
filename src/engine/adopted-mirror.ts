import type { CatalogTag } from '../core/catalog.js';
import type { TagState } from '../core/state-model.js';
import type { ImageRepository } from '../registry/repository.js';
import type { LocalStore } from './local-store.js';
import { mirrorImage } from './mirror/mirror.js';
import { CachingRepository } from './mirror/source.js';

export interface MirroredHistory {
  value: TagState;
  /** Older images of the cluster's history: not copied, so left out of the state. */
  leftOut: string[];
}

/**
 * A Local tag's adopted history as apply would leave it: the newest image copied from the source into the local
 * store (the cluster held it in its own registry), and recorded with the local pull spec.
 */
export async function mirroredHistory(
  source: ImageRepository,
  store: LocalStore,
  tag: Pick<CatalogTag, 'stream' | 'tag'>,
  history: TagState,
): Promise<MirroredHistory> {
  const [newest, ...older] = history.items;
  if (!newest) return { value: history, leftOut: [] };
  const target = store.open(tag.stream);
  await mirrorImage(new CachingRepository(source), target, { digest: newest.digest, tag: tag.tag }, store.transfers);
  const item = {
    ...newest,
    dockerImageReference: target.pullSpec(newest.digest),
    sourceImageReference: source.pullSpec(newest.digest),
  };
  return { value: { ...history, items: [item] }, leftOut: older.map((image) => image.digest) };
}
