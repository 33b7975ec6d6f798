import type { Descriptor } from '../core/manifest.js';
import type { FetchedManifest, ImageRepository, RegistryLocation } from './repository.js';

/** How a blob came to be in a destination: it was there, it was mounted from another repository, or it was copied. */
export type BlobTransfer = 'present' | 'mounted' | 'uploaded';

/** Manifest bytes to store, the digest they hash to and their media type. */
export interface ManifestBytes {
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
}

/** What a destination is got ready for: checking what it holds, or storing images as well. */
export type DestinationAccess = 'read' | 'write';

/** The blob a destination must hold: its digest and exact size (the media type is informational). */
export type BlobDescriptor = Pick<Descriptor, 'digest' | 'size'> & { mediaType?: string };

/**
 * A repository images are copied into, whatever the back end: a repository of a registry, or one OCI image layout.
 * Copies are bottom-up: blobs, then the manifests that name them, and the tag last, so that a tag never points at
 * something incomplete.
 */
export interface ImageDestination {
  /** For messages and plans, e.g. `registry.local:5000/mirror/ubi9` or `oci:store/ubi9`. */
  readonly name: string;
  /** The registry and repository, for a registry destination. */
  readonly location?: RegistryLocation;
  /** The pull spec of an image of this destination by digest. */
  pullSpec(digest: string): string;
  /** The digest `tag` points to; undefined when there is no such tag. */
  tagDigest(tag: string): Promise<string | undefined>;
  hasManifest(digest: string): Promise<boolean>;
  hasBlob(digest: string): Promise<boolean>;
  /** A manifest stored here, verified against its digest. */
  getManifest(digest: string): Promise<FetchedManifest>;
  /**
   * Stores a blob unless it is there: mounted when the registry can (from the source's repository when it is on the
   * same registry, else from the first of `mountFrom` there), else streamed from `source` and verified.
   */
  putBlob(
    blob: BlobDescriptor,
    source: ImageRepository,
    mountFrom?: readonly RegistryLocation[],
  ): Promise<BlobTransfer>;
  /** Stores a manifest by digest and, when `tag` is given, points the tag at it. */
  putManifest(manifest: ManifestBytes, tag?: string): Promise<void>;
  /** The tags of the repository (for a layout: the `org.opencontainers.image.ref.name` of index.json). */
  listTags(): Promise<string[]>;
  /**
   * Gets ready for reading or for writing as well: a registry is pinged and the token for the repository (pull, or
   * pull and push) fetched, so that the first such request finds them. Optional; its failure is no one's to report:
   * the request that needs what failed meets it again.
   */
  prepareFor?(access: DestinationAccess): Promise<void>;
}
