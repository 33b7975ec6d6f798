import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as mediaTypes from '../../dist/core/media-types.js';

/** The media types of the built CLI (`npm run bench` builds first). */
export const MEDIA_TYPES = {
  oci: {
    index: mediaTypes.OCI_INDEX,
    manifest: mediaTypes.OCI_MANIFEST,
    config: mediaTypes.OCI_CONFIG,
    layer: mediaTypes.OCI_LAYER_GZIP,
  },
  docker: {
    index: mediaTypes.DOCKER_MANIFEST_LIST,
    manifest: mediaTypes.DOCKER_MANIFEST,
    config: mediaTypes.DOCKER_CONFIG,
    layer: mediaTypes.DOCKER_LAYER_GZIP,
  },
};

const IN_TOTO = 'application/vnd.in-toto+json';
const BASE_LAYER_BYTES = 32 * 1024;
const APP_LAYER_BYTES = 8 * 1024;

/** The shapes of image a repository's versions cycle through: what buildx, docker and single-arch builds push. */
export const IMAGE_KINDS = [
  {
    name: 'OCI index, 4 platforms + attestations',
    family: 'oci',
    index: true,
    attestations: true,
    platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/ppc64le', 'linux/s390x'],
  },
  {
    name: 'Docker manifest list, 3 platforms',
    family: 'docker',
    index: true,
    platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'],
  },
  { name: 'OCI image', family: 'oci', index: false, platforms: ['linux/amd64'] },
  {
    name: 'OCI index, 3 platforms + attestations',
    family: 'oci',
    index: true,
    attestations: true,
    platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/ppc64le'],
  },
  { name: 'Docker image', family: 'docker', index: false, platforms: ['linux/amd64'] },
];

export function digestOf(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function blobOf(bytes) {
  return { digest: digestOf(bytes), size: bytes.length, bytes };
}

function jsonBlob(value) {
  return blobOf(Buffer.from(JSON.stringify(value)));
}

/** Incompressible bytes that depend only on `seed`. */
function seededBytes(seed, size) {
  const out = Buffer.alloc(size);
  for (let offset = 0, counter = 0; offset < size; counter++) {
    offset += createHash('sha256').update(`${seed}#${counter}`).digest().copy(out, offset);
  }
  return out;
}

/** A gzip layer and its uncompressed digest (the config's diff_id). */
function layer(seed, size) {
  const raw = seededBytes(seed, size);
  return { blob: blobOf(gzipSync(raw, { level: 1 })), diffId: digestOf(raw) };
}

function wirePlatform(platform) {
  const [os, architecture, variant] = platform.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

/**
 * One platform image: a base layer shared by every version of the repository on that platform, an application
 * layer of its own, and a config with labels.
 */
function platformImage(types, repository, version, platform, blobs) {
  const base = layer(`${repository}|base|${platform}`, BASE_LAYER_BYTES);
  const app = layer(`${repository}|${version}|${platform}`, APP_LAYER_BYTES);
  const created = new Date(Date.UTC(2025, 0, 1 + version)).toISOString();
  const config = jsonBlob({
    ...wirePlatform(platform),
    created,
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Labels: { 'org.opencontainers.image.title': repository, 'org.opencontainers.image.version': `1.${version}.0` },
    },
    rootfs: { type: 'layers', diff_ids: [base.diffId, app.diffId] },
    history: [
      { created, created_by: 'ADD rootfs.tar.gz /' },
      { created, created_by: 'COPY app /app' },
    ],
  });
  for (const blob of [base.blob, app.blob, config]) blobs.set(blob.digest, blob.bytes);
  const manifest = jsonBlob({
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, digest: config.digest, size: config.size },
    layers: [base.blob, app.blob].map((b) => ({ mediaType: types.layer, digest: b.digest, size: b.size })),
  });
  return { ...manifest, mediaType: types.manifest, platform };
}

/** A buildx-style provenance attestation manifest for `subject`. */
function attestation(subject, blobs) {
  const statement = jsonBlob({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: 'image', digest: { sha256: subject.digest.slice('sha256:'.length) } }],
    predicate: { builder: { id: 'bench' } },
  });
  const config = jsonBlob({
    architecture: 'unknown',
    os: 'unknown',
    config: {},
    rootfs: { type: 'layers', diff_ids: [statement.digest] },
  });
  for (const blob of [statement, config]) blobs.set(blob.digest, blob.bytes);
  const manifest = jsonBlob({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.oci.manifest,
    config: { mediaType: MEDIA_TYPES.oci.config, digest: config.digest, size: config.size },
    layers: [
      {
        mediaType: IN_TOTO,
        digest: statement.digest,
        size: statement.size,
        annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
      },
    ],
  });
  return { ...manifest, mediaType: MEDIA_TYPES.oci.manifest, subject: subject.digest };
}

function indexEntry(manifest) {
  return {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
    platform: wirePlatform(manifest.platform),
  };
}

function attestationEntry(manifest) {
  return {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
    annotations: {
      'vnd.docker.reference.digest': manifest.subject,
      'vnd.docker.reference.type': 'attestation-manifest',
    },
    platform: { architecture: 'unknown', os: 'unknown' },
  };
}

/**
 * Version `version` of `repository`, of the given kind. Returns what a registry needs to serve it: `blobs`
 * (digest → bytes), `children` (manifests the top one lists, to push first) and `top` (the tagged manifest),
 * plus `images`, the platform image manifests (attestations excluded).
 */
export function generateImage(repository, version, kind) {
  const types = MEDIA_TYPES[kind.family];
  const blobs = new Map();
  const images = kind.platforms.map((p) => platformImage(types, repository, version, p, blobs));
  if (!kind.index) return { kind, blobs, children: [], images, top: images[0] };
  const attestations = kind.attestations ? images.map((image) => attestation(image, blobs)) : [];
  const top = jsonBlob({
    schemaVersion: 2,
    mediaType: types.index,
    manifests: [...images.map(indexEntry), ...attestations.map(attestationEntry)],
  });
  return { kind, blobs, children: [...images, ...attestations], images, top: { ...top, mediaType: types.index } };
}
