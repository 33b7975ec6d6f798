import type { TagSpec } from './catalog.js';
import type { ImportReason } from './errors.js';

export const STATE_VERSION = 1;

/** Metadata read from an image's config blob at import time (OpenShift's image metadata). */
export interface ImageMetadata {
  /** `created` from the config, when present. */
  created?: string;
  labels: Record<string, string>;
  /** Number of layers. */
  layers: number;
  /** Sum of the layer sizes plus the config size, in bytes. */
  size: number;
  /**
   * What `describe` shows of the config, recorded since this field was added (older states lack them). Read from
   * untrusted registry input, so bounded: at most IMAGE_CONFIG_LIMITS entries and characters, control characters
   * removed.
   */
  author?: string;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  user?: string;
  /** Sorted, as `80/tcp`. */
  exposedPorts?: string[];
  /** `NAME=value`, in the config's order. */
  env?: string[];
  /** Sorted paths. */
  volumes?: string[];
  /** The first layers, in the manifest's order (`layers` counts them all). */
  layerSizes?: LayerSize[];
}

export interface LayerSize {
  digest: string;
  size: number;
}

/** One manifest of an item: the item itself for a single image, or a child of a list. */
export interface ManifestEntry {
  platform: string;
  digest: string;
  mediaType: string;
  size: number;
  attestation?: true;
  image?: ImageMetadata;
}

/** One imported image of a tag (OpenShift TagEvent). */
export interface TagItem {
  created: string;
  generation: number;
  /** Digest of what the tag points to: the list for PreserveOriginal, the chosen child for Legacy. */
  digest: string;
  mediaType: string;
  dockerImageReference: string;
  /** Digest the source tag resolved to (the list's digest when Legacy picked a child). */
  sourceDigest: string;
  /** For Legacy on a list: the chosen platform and the rule that chose it. */
  selectedBy?: LegacyRule;
  /** The source pull spec by digest when dockerImageReference is a local mirror. */
  sourceImageReference?: string;
  manifests: ManifestEntry[];
}

/** Which rule of DESIGN §4 picked a child of a list in Legacy mode. */
export type LegacyRule = 'tag preference' | 'default platform' | 'linux/amd64' | 'first child' | 'single manifest';

export interface TagCondition {
  type: 'ImportSuccess';
  status: 'False';
  reason: ImportReason;
  message: string;
  generation: number;
  lastTransitionTime: string;
}

export interface TagState {
  spec: TagSpec;
  /** Newest first. */
  items: TagItem[];
  conditions: TagCondition[];
}

export interface StreamState {
  tags: Record<string, TagState>;
}

export interface State {
  version: number;
  lineage: string;
  serial: number;
  streams: Record<string, StreamState>;
}
