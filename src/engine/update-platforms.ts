import type { CatalogTag } from '../core/catalog.js';
import { selectLegacyChild } from '../core/legacy.js';
import type { PlatformMove } from '../core/update-model.js';
import { childEntry, manifestEntries } from '../registry/image-details.js';
import type { ImageRepository } from '../registry/repository.js';

/** platform → manifest digest of the image `reference` (a tag or a digest) names, read as plan reads it for `tag`. */
export async function imagePlatforms(
  repo: ImageRepository,
  reference: string,
  tag: CatalogTag,
): Promise<Map<string, string>> {
  const head = await repo.head(reference);
  const fetched = await repo.getManifest(head.digest);
  const { manifest } = fetched;
  if (manifest.kind === 'index' && tag.spec.importMode === 'Legacy') {
    const preferences = { tag: tag.spec.preferPlatform, catalogDefault: tag.defaultPlatform };
    const chosen = selectLegacyChild(manifest.manifests, preferences);
    return new Map(chosen ? [[childEntry(chosen.descriptor).platform, chosen.descriptor.digest]] : []);
  }
  const entries = await manifestEntries(repo, fetched);
  return new Map(entries.filter((e) => !e.attestation).map((e) => [e.platform, e.digest]));
}

/** The platforms after the move, each with its digest before when the image before had that platform. */
export function platformMoves(before: Map<string, string> | undefined, after: Map<string, string>): PlatformMove[] {
  return [...after].map(([platform, digest]) => {
    const previous = before?.get(platform);
    return previous === undefined ? { platform, after: digest } : { platform, before: previous, after: digest };
  });
}
