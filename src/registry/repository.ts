import type { Readable } from 'node:stream';
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

/** A blob being read: its bytes as a stream, not yet verified, and the size the back end declared. */
export interface BlobReader {
  body: Readable;
  size: number | undefined;
}

/** Where a registry repository is: lets a destination on the same registry mount its blobs instead of copying them. */
export interface RegistryLocation {
  registry: string;
  repository: string;
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
  /**
   * The head of `reference` unless it still resolves to `digest` (then undefined). Optional: a back end that can
   * confirm a digest more cheaply than describing the manifest again has it (a registry answers 304 to If-None-Match).
   */
  headUnlessAt?(reference: string, digest: string): Promise<ManifestHead | undefined>;
  /**
   * Gets ready for reading: a registry is pinged and the token for the repository fetched, so that its first request
   * finds them, and connections for the `requests` about to come are set up meanwhile. Optional; its failure is no
   * one's to report: the request that needs what failed meets it again.
   */
  prepare?(requests?: number): Promise<void>;
  /** Fetches a manifest; the bytes are verified against the digest (requested, or reported by the server). */
  getManifest(reference: string): Promise<FetchedManifest>;
  /** Reads a small blob (an image config) into memory, verified against its digest, refusing more than `maxBytes`. */
  getBlob(digest: string, maxBytes: number): Promise<Uint8Array>;
  /**
   * Opens a blob of any size as a stream, unverified: read it through `verifiedBlob` (blob-verify.ts). Both back ends
   * have it; it is optional for stand-ins that only resolve and read manifests.
   */
  openBlob?(digest: string): Promise<BlobReader>;
  /**
   * The repository's tags, page by page as the back end gives them; names that are not valid tags are left out.
   * A repository that does not exist is an error, not an empty list.
   */
  listTags?(): AsyncIterable<readonly string[]>;
  /** The registry and repository, for a registry back end. */
  readonly location?: RegistryLocation;
  /** The pull spec of an image of this repository by digest. */
  pullSpec(digest: string): string;
  /**
   * Text about this repository from elsewhere (a cluster's import message) made safe to show: without the secrets
   * of the credential it is reached with. Optional: a back end without credentials shows text as it is.
   */
  shown?(text: string): Promise<string>;
}

/** The head of `reference` unless it still resolves to `digest`, as cheaply as the back end allows. */
export async function headUnlessAt(
  repo: ImageRepository,
  reference: string,
  digest: string,
): Promise<ManifestHead | undefined> {
  if (repo.headUnlessAt) return repo.headUnlessAt(reference, digest);
  const head = await repo.head(reference);
  return head.digest === digest ? undefined : head;
}
