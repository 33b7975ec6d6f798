import { expectDescribed } from '../core/manifest.js';
import type { PlannedItem } from '../core/plan-model.js';
import type { ManifestEntry, TagItem } from '../core/state-model.js';
import { fetchDescribed, LISTED_BY } from '../registry/described.js';
import { imageMetadata } from '../registry/image-details.js';
import type { FetchedManifest, ImageRepository } from '../registry/repository.js';
import { mapConcurrent } from './concurrency.js';

/**
 * The planned item's manifests with the metadata of each image (created, labels, layers, size), read from the
 * images' configs: 1 request for the item, 1 per child of a list, 1 per config. Each manifest is verified: against
 * its digest, and against what the plan (as the list told it) says of its media type and size.
 */
export async function manifestsWithMetadata(repo: ImageRepository, planned: PlannedItem): Promise<ManifestEntry[]> {
  const top = await fetchTop(repo, planned);
  if (top.manifest.kind === 'image') {
    const image = await imageMetadata(repo, top.manifest);
    return planned.manifests.map((m) => (m.digest === top.digest ? { ...m, image } : m));
  }
  return mapConcurrent(planned.manifests, 8, async (entry) => {
    if (entry.attestation) return entry;
    const child = await fetchDescribed(repo, entry);
    return child.manifest.kind === 'image' ? { ...entry, image: await imageMetadata(repo, child.manifest) } : entry;
  });
}

/** The item's own manifest; a Legacy pick is what the list said, an image its size as the plan found it. */
function fetchTop(repo: ImageRepository, planned: PlannedItem): Promise<FetchedManifest> {
  const listed = planned.manifests.find((m) => m.digest === planned.digest);
  if (!listed) return repo.getManifest(planned.digest).then((top) => expectType(top, planned.mediaType, repo));
  const describer = planned.sourceDigest === planned.digest ? 'the plan' : LISTED_BY;
  return fetchDescribed(repo, { digest: planned.digest, mediaType: planned.mediaType, size: listed.size }, describer);
}

/** A list recorded whole: its own size is not recorded, its media type is. */
function expectType(top: FetchedManifest, mediaType: string, repo: ImageRepository): FetchedManifest {
  expectDescribed(top, { mediaType, size: top.size }, `manifest ${repo.name}@${top.digest}`, 'the plan');
  return top;
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
