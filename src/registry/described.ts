import { RegistryError } from '../core/errors.js';
import { type Descriptor, expectDescribed } from '../core/manifest.js';
import type { FetchedManifest, ImageRepository } from './repository.js';

/** Where the list that names a child is: said in the error when the child is not what the list says. */
export const LISTED_BY = 'the list that names it';

/**
 * A manifest a descriptor names, fetched by digest (and so verified against it): it must also be what the
 * descriptor says, the same media type and the exact size, or it is refused as InvalidManifest naming its digest.
 */
export async function fetchDescribed(
  repo: ImageRepository,
  descriptor: Pick<Descriptor, 'digest' | 'mediaType' | 'size'>,
  describer = LISTED_BY,
): Promise<FetchedManifest> {
  const fetched = await repo.getManifest(descriptor.digest);
  expectDescribed(fetched, descriptor, `manifest ${repo.name}@${descriptor.digest}`, describer);
  return fetched;
}

/** A small blob (an image config) a descriptor names, read into memory: it must be of the exact size said. */
export async function readDescribedBlob(
  repo: ImageRepository,
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const bytes = await repo.getBlob(descriptor.digest, maxBytes);
  if (bytes.length !== descriptor.size) {
    throw new RegistryError(
      'InvalidManifest',
      `${what} is ${bytes.length} bytes, but the manifest that names it says ${descriptor.size}; refused`,
    );
  }
  return bytes;
}
