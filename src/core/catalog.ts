import type { StreamDiscovery } from './discovery.js';
import type { CatalogProblem, SourceLocation } from './errors.js';
import type { ImportMode, ReferencePolicy } from './import-policy.js';
import type { ImageSourceReference } from './reference.js';
import type { ReferenceKind, TagTarget } from './tag-reference.js';

export type { ImportMode, ReferencePolicy } from './import-policy.js';
export const IMPORT_MODES: readonly ImportMode[] = ['Legacy', 'PreserveOriginal'];
export const IMPORT_MODE_MESSAGE = 'valid ImportMode values are Legacy or PreserveOriginal';

/** The spec of a tag as recorded in state (DESIGN §5): what, if changed, forces a re-import. */
export interface TagSpec {
  /** The source image; for a reference, `stream:tag` or `stream@sha256:…`. */
  from: string;
  /** Set when `from` names a tag or an image of a stream of the catalog (absent: a DockerImage). */
  fromKind?: ReferenceKind;
  importMode: ImportMode;
  referencePolicy: ReferencePolicy;
  scheduled: boolean;
  insecure: boolean;
  /** Normalised `os/arch[/variant]` set on the tag itself (or by prefer-arch/prefer-os annotations); null when none. */
  preferPlatform: string | null;
}

/** A tag of the catalog with everything resolved: defaults applied, source parsed, paths absolute. */
export interface CatalogTag {
  /** `stream:tag`. */
  address: string;
  stream: string;
  tag: string;
  spec: TagSpec;
  /** Parsed `from`; for `oci:` the path is absolute (relative paths are taken from the catalog's directory). */
  source: ImageSourceReference;
  /** The catalog-wide preferred platform (defaults.preferPlatform), normalised; rule 2 of Legacy selection. */
  defaultPlatform: string;
  /** Milliseconds between scheduled re-imports for `watch`. */
  scheduleIntervalMs: number;
  annotations: Record<string, string>;
  location: SourceLocation;
}

/**
 * A tag whose `from` is another tag of the catalog (ImageStreamTag) or an image a stream holds (ImageStreamImage):
 * nothing is imported for it; it gets the image the tag it follows has, as OpenShift tags it.
 */
export interface ReferenceTag {
  address: string;
  stream: string;
  tag: string;
  /** `from` is the target's name, `fromKind` its kind; not scheduled, not insecure, no preferred platform. */
  spec: TagSpec;
  target: TagTarget;
  /** The target's name as the mapping form `{kind, name}` writes it (`"8"` for a tag of the same stream). */
  writtenName?: string;
  scheduleIntervalMs: number;
  annotations: Record<string, string>;
  location: SourceLocation;
}

/** What every tag of the catalog has, whether imported from a registry or following another tag. */
export type AnyCatalogTag = CatalogTag | ReferenceTag;

export interface RegistryAuthConfig {
  /** Absolute path of a Kubernetes Secret YAML or a raw .dockerconfigjson. */
  secret?: string;
}

/** `registries.<key>` of the catalog. */
export interface RegistrySettings {
  /** `host[:port][/path-prefix]` as written. */
  key: string;
  insecure: boolean;
  /** Absolute path of an extra CA bundle (PEM). */
  ca?: string;
  /** Absolute paths of a client certificate and key (PEM) for mutual TLS. */
  clientCert?: string;
  clientKey?: string;
  maxConcurrency?: number;
  requestsPerSecond?: number;
  /** `requestTimeout` and `minBytesPerSecond`: each request's deadline is the one plus its size at the other. */
  requestTimeoutMs?: number;
  minBytesPerSecond?: number;
  auth?: RegistryAuthConfig;
  location: SourceLocation;
}

export interface LocalTarget {
  /** `host[:port]/namespace` of a registry the images are mirrored into. */
  registry?: string;
  /** Absolute path of a directory holding one OCI image layout per stream. */
  layout?: string;
  /**
   * For the default store (`.imagestreams/store`, no `local` section): the catalog's directory, from which the way
   * to `layout` is walked without following a symbolic link. Otherwise links are refused only below `layout`.
   */
  noLinksBelow?: string;
}

export interface CatalogDefaults {
  importMode: ImportMode;
  referencePolicy: ReferencePolicy;
  scheduled: boolean;
  preferPlatform: string;
  scheduleIntervalMs: number;
}

/** A stream of the catalog with what it carries besides its tags: the metadata of an OpenShift ImageStream. */
export interface CatalogStream {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `lookupPolicy.local`, when the catalog sets it. */
  lookupLocal?: boolean;
  location: SourceLocation;
}

export interface Catalog {
  /** Absolute path of the catalog file. */
  path: string;
  /** Path as given by the user, for messages. */
  displayPath: string;
  /** sha256 of the catalog bytes (`sha256:<hex>`), recorded in saved plans. */
  sha256: string;
  /** Absolute path of the state file. */
  statePath: string;
  defaults: CatalogDefaults;
  registries: RegistrySettings[];
  local?: LocalTarget;
  /** Every tag imported from a registry or an image layout, in catalog order. */
  tags: CatalogTag[];
  /** Every stream in catalog order, tags or none (absent from catalogs built by hand). */
  streams?: CatalogStream[];
  /** What is allowed but most likely a mistake (an unknown architecture), in file order; absent when nothing is. */
  warnings?: CatalogProblem[];
  /** Every tag that follows another tag or an image of a stream, in catalog order. */
  references?: ReferenceTag[];
  /** Every stream's `discover`, in catalog order; absent when no stream has one. */
  discoveries?: StreamDiscovery[];
}

/** Every tag of the catalog, imported or following another, in catalog order. */
export function allCatalogTags(catalog: Pick<Catalog, 'tags' | 'references'>): AnyCatalogTag[] {
  const references = catalog.references ?? [];
  if (references.length === 0) return catalog.tags;
  return [...catalog.tags, ...references].sort(
    (a, b) => a.location.line - b.location.line || a.location.column - b.location.column,
  );
}

export function isReferenceTag(tag: AnyCatalogTag): tag is ReferenceTag {
  return 'target' in tag;
}
