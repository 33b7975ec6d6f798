import type { PlannedItem } from '../core/plan-model.js';
import type { ManifestEntry, TagItem } from '../core/state-model.js';
import { imageMetadata } from '../registry/image-details.js';
import type { ImageRepository } from '../registry/repository.js';
import { mapConcurrent } from './concurrency.js';

/**
 * The planned item's manifests with the metadata of each image (created, labels, layers, size), read from the
 * images' configs: 1 request for the item, 1 per child of a list, 1 per config. Each manifest is verified.
 */
export async function manifestsWithMetadata(repo: ImageRepository, planned: PlannedItem): Promise<ManifestEntry[]> {
  const top = await repo.getManifest(planned.digest);
  if (top.manifest.kind === 'image') {
    const image = await imageMetadata(repo, top.manifest);
    return planned.manifests.map((m) => (m.digest === top.digest ? { ...m, image } : m));
  }
  return mapConcurrent(planned.manifests, 8, async (entry) => {
    if (entry.attestation) return entry;
    const child = await repo.getManifest(entry.digest);
    return child.manifest.kind === 'image' ? { ...entry, image: await imageMetadata(repo, child.manifest) } : entry;
  });
}

/** The item an import records: the planned one, with its images' metadata, imported at `created`. */
export async function importedItem(
  repo: ImageRepository,
  planned: PlannedItem,
  created: Date,
  generation: number,
): Promise<TagItem> {
  const manifests = await manifestsWithMetadata(repo, planned);
  return { ...planned, manifests, created: created.toISOString(), generation };
}
