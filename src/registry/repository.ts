import type { Manifest } from '../core/manifest.js';

/** What a manifest HEAD (or a layout index lookup) tells: the digest a tag points to. */
export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

/** A manifest fetched and verified: its bytes hash to `digest`. */
export interface FetchedManifest extends ManifestHead {
  bytes: Uint8Array;
  manifest: Manifest;
}

/**
 * One repository of images, whatever the back end (a registry repository or an OCI image layout).
 * `reference` is a tag or a digest.
 */
export interface ImageRepository {
  /** Human-readable name for messages, e.g. `quay.io/org/app` or `oci:examples/images/demo`. */
  readonly name: string;
  /** Resolves a tag or digest to a digest and media type as cheaply as the back end allows. */
  head(reference: string): Promise<ManifestHead>;
  /** Fetches a manifest; the bytes are verified against the digest (requested, or reported by the server). */
  getManifest(reference: string): Promise<FetchedManifest>;
  /** Reads a small blob (an image config) into memory, verified against its digest, refusing more than `maxBytes`. */
  getBlob(digest: string, maxBytes: number): Promise<Uint8Array>;
  /** The pull spec of an image of this repository by digest. */
  pullSpec(digest: string): string;
}
