import { isDigest } from './digest.js';
import { RegistryError } from './errors.js';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  IMAGE_MEDIA_TYPES,
  INDEX_MEDIA_TYPES,
  OCI_INDEX,
  OCI_MANIFEST,
  SCHEMA1_MEDIA_TYPES,
} from './media-types.js';
import type { WirePlatform } from './platform.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: WirePlatform;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface IndexManifest {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: 'image';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export type Manifest = IndexManifest | ImageManifest;

const ATTESTATION_ANNOTATION = 'vnd.docker.reference.type';

/** buildx attaches provenance/SBOM as `unknown/unknown` manifests annotated `attestation-manifest`. */
export function isAttestation(descriptor: Descriptor): boolean {
  return descriptor.annotations?.[ATTESTATION_ANNOTATION] === 'attestation-manifest';
}

/**
 * Refuses a manifest served as Docker schema 1. Checked before its digest: the digest a registry gives a signed
 * schema 1 manifest is not that of the bytes it serves.
 */
export function refuseSchema1(contentType: string | undefined, what: string): void {
  const declared = normalizeContentType(contentType);
  if (declared && SCHEMA1_MEDIA_TYPES.has(declared)) throw schema1Refused(what);
}

function schema1Refused(what: string): RegistryError {
  return invalid(
    `${what} is a Docker schema 1 manifest, which is deprecated and not supported; push the image again with a current client`,
  );
}

/**
 * Parses and validates manifest bytes. `contentType`, when given, is the media type the server declared;
 * it must agree with the body's `mediaType`. Throws RegistryError(InvalidManifest) with a clear message.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string, what = 'manifest'): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw invalid(`${what} is not valid JSON`);
  }
  if (!isObject(doc)) throw invalid(`${what} is not a JSON object`);

  const declared = normalizeContentType(contentType);
  if (doc.schemaVersion === 1) throw schema1Refused(what);
  refuseSchema1(contentType, what);
  if (doc.schemaVersion !== 2) throw invalid(`${what} does not have schemaVersion 2`);

  const hasManifests = 'manifests' in doc;
  const hasImageFields = 'layers' in doc || 'config' in doc;
  if (hasManifests && hasImageFields)
    throw invalid(`${what} has both "manifests" and "layers"/"config": ambiguous document refused`);

  const bodyType = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (bodyType && declared && declared !== bodyType && isKnownManifestType(declared)) {
    throw invalid(`${what} declares ${typeName(bodyType)} but was served as ${typeName(declared)}`);
  }
  const mediaType =
    bodyType ?? (declared && isKnownManifestType(declared) ? declared : hasManifests ? OCI_INDEX : OCI_MANIFEST);
  const annotations = stringMap(doc.annotations, `${what} annotations`);

  if (hasManifests) {
    if (!INDEX_MEDIA_TYPES.has(mediaType)) throw invalid(`${what} lists manifests but declares ${typeName(mediaType)}`);
    if (!Array.isArray(doc.manifests)) throw invalid(`${what} "manifests" is not an array`);
    const manifests = doc.manifests.map((d, i) => descriptor(d, `${what} manifests[${i}]`));
    return { kind: 'index', mediaType, manifests, ...(annotations && { annotations }) };
  }
  if (INDEX_MEDIA_TYPES.has(mediaType)) throw invalid(`${what} declares ${typeName(mediaType)} but lists no manifests`);
  if (!IMAGE_MEDIA_TYPES.has(mediaType))
    throw invalid(`${what} has ${typeName(mediaType)} (expected an OCI or Docker v2 manifest or index)`);
  if (!Array.isArray(doc.layers)) throw invalid(`${what} "layers" is not an array`);
  return {
    kind: 'image',
    mediaType,
    config: descriptor(doc.config, `${what} config`),
    layers: doc.layers.map((d, i) => descriptor(d, `${what} layers[${i}]`)),
    ...(annotations && { annotations }),
  };
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw invalid(`${where} is not a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${where} has no mediaType`);
  if (typeof digest !== 'string' || !isDigest(digest)) throw invalid(`${where} has an invalid digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw invalid(`${where} has an invalid size`);
  const out: Descriptor = { mediaType, digest, size };
  if (value.platform !== undefined) {
    if (!isObject(value.platform)) throw invalid(`${where} platform is not an object`);
    out.platform = value.platform as WirePlatform;
  }
  const annotations = stringMap(value.annotations, `${where} annotations`);
  if (annotations) out.annotations = annotations;
  if (typeof value.artifactType === 'string') out.artifactType = value.artifactType;
  return out;
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw invalid(`${where} must map strings to strings`);
  }
  return value as Record<string, string>;
}

/**
 * Throws InvalidManifest unless a fetched manifest is what the descriptor naming it says: the same media type and
 * the exact size. `describer` names where the descriptor is (`the index that lists it`, `index.json`).
 */
export function expectDescribed(
  fetched: { mediaType: string; size: number },
  descriptor: { mediaType: string; size: number },
  what: string,
  describer: string,
): void {
  if (fetched.mediaType !== descriptor.mediaType) {
    throw invalid(
      `${what} is ${typeName(fetched.mediaType)}, but ${describer} says ${typeName(descriptor.mediaType)}; refused`,
    );
  }
  if (fetched.size !== descriptor.size)
    throw invalid(`${what} is ${fetched.size} bytes, but ${describer} says ${descriptor.size}; refused`);
}

const TYPE_NAMES: Record<string, string> = {
  [OCI_INDEX]: 'an OCI image index',
  [OCI_MANIFEST]: 'an OCI image manifest',
  [DOCKER_MANIFEST_LIST]: 'a Docker manifest list',
  [DOCKER_MANIFEST]: 'a Docker image manifest',
};

/**
 * A media type in words. Only the types this program knows are named: a media type is text the document holds, and
 * a document read through a link (or a hostile registry) must not get its text quoted into messages and plans.
 */
export function typeName(mediaType: string): string {
  if (SCHEMA1_MEDIA_TYPES.has(mediaType)) return 'a Docker schema 1 manifest';
  return TYPE_NAMES[mediaType] ?? 'an unknown media type';
}

function isKnownManifestType(mediaType: string): boolean {
  return [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST].includes(mediaType);
}

/** `application/json; charset=utf-8` → `application/json`. */
export function normalizeContentType(contentType: string | undefined | null): string | undefined {
  if (!contentType) return undefined;
  return contentType.split(';')[0]!.trim().toLowerCase() || undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): RegistryError {
  return new RegistryError('InvalidManifest', message);
}
