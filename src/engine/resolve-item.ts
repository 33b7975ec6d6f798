import type { CatalogTag } from '../core/catalog.js';
import { RegistryError } from '../core/errors.js';
import { selectLegacyChild } from '../core/legacy.js';
import type { PlannedItem } from '../core/plan-model.js';
import { manifestReference } from '../core/reference.js';
import { childEntry, manifestEntries } from '../registry/image-details.js';
import type { FetchedManifest, ImageRepository } from '../registry/repository.js';

/** The tag or digest a tag's source names; an empty string for an untagged OCI layout (its only image). */
export function sourceReference(tag: CatalogTag): string {
  const ref = tag.source.ref;
  return tag.source.transport === 'layout' ? (ref.digest ?? ref.tag ?? '') : manifestReference(ref);
}

/**
 * What importing `sourceDigest` would record for `tag`: the whole list for PreserveOriginal, the child chosen by the
 * Legacy rules for a list, or the single image (whose platform comes from its config).
 */
export async function resolveItem(
  repo: ImageRepository,
  tag: CatalogTag,
  fetched: FetchedManifest,
): Promise<PlannedItem> {
  const base = { sourceDigest: fetched.digest };
  if (fetched.manifest.kind === 'index' && tag.spec.importMode === 'Legacy') {
    const selection = selectLegacyChild(fetched.manifest.manifests, {
      tag: tag.spec.preferPlatform,
      catalogDefault: tag.defaultPlatform,
    });
    if (!selection) {
      throw new RegistryError(
        'InvalidManifest',
        `${repo.name}@${fetched.digest} lists no image manifest to import (only attestations)`,
      );
    }
    const child = selection.descriptor;
    return {
      ...base,
      digest: child.digest,
      mediaType: child.mediaType,
      dockerImageReference: repo.pullSpec(child.digest),
      selectedBy: selection.rule,
      manifests: [childEntry(child)],
    };
  }
  const item: PlannedItem = {
    ...base,
    digest: fetched.digest,
    mediaType: fetched.mediaType,
    dockerImageReference: repo.pullSpec(fetched.digest),
    manifests: await manifestEntries(repo, fetched),
  };
  if (fetched.manifest.kind === 'image' && tag.spec.importMode === 'Legacy') item.selectedBy = 'single manifest';
  return item;
}
