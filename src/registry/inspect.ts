import type { InspectResult } from '../core/inspect-result.js';
import { formatImageSource, type ImageSourceReference, manifestReference } from '../core/reference.js';

export type { InspectResult } from '../core/inspect-result.js';

import { manifestEntries } from './image-details.js';
import type { ImageRepository } from './repository.js';

/** Resolves a reference: HEAD, then the manifest by digest, then (for a single image) its config for the platform. */
export async function inspectImage(repo: ImageRepository, source: ImageSourceReference): Promise<InspectResult> {
  const reference =
    source.transport === 'layout' ? (source.ref.digest ?? source.ref.tag ?? '') : manifestReference(source.ref);
  const head = await repo.head(reference);
  const fetched = await repo.getManifest(head.digest);
  return {
    reference: formatImageSource(source),
    digest: fetched.digest,
    mediaType: fetched.mediaType,
    manifests: await manifestEntries(repo, fetched),
  };
}
