import type { SourceLocation } from './errors.js';
import type { ImageSourceReference } from './reference.js';

export type ImportMode = 'Legacy' | 'PreserveOriginal';
export type ReferencePolicy = 'Source' | 'Local';
export const IMPORT_MODES: readonly ImportMode[] = ['Legacy', 'PreserveOriginal'];
export const IMPORT_MODE_MESSAGE = 'valid ImportMode values are Legacy or PreserveOriginal';

/** The spec of a tag as recorded in state (DESIGN §5): what, if changed, forces a re-import. */
export interface TagSpec {
  from: string;
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
  /** Every tag in catalog order. */
  tags: CatalogTag[];
  /** Every stream in catalog order, tags or none (absent from catalogs built by hand). */
  streams?: CatalogStream[];
}
