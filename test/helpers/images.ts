import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
} from '../../src/core/media-types.js';
import { gzip, seededBytes, type TarEntry, tar } from './tar-gzip.js';

const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

export { pushLayout, skopeoInspectRaw, skopeoInspectRawFrom } from './skopeo.js';

export const MEDIA_TYPES = {
  oci: { index: OCI_INDEX, manifest: OCI_MANIFEST, config: OCI_CONFIG, layer: OCI_LAYER_GZIP },
  docker: { index: DOCKER_MANIFEST_LIST, manifest: DOCKER_MANIFEST, config: DOCKER_CONFIG, layer: DOCKER_LAYER_GZIP },
} as const;

export type MediaTypeFamily = keyof typeof MEDIA_TYPES;

const IN_TOTO = 'application/vnd.in-toto+json';
const REF_NAME = 'org.opencontainers.image.ref.name';
const DEFAULT_CREATED = '2024-01-01T00:00:00Z';

export interface ImageSpec {
  /** `os/arch[/variant]`. One platform gives a single image manifest unless `index` is set. */
  platforms: readonly string[];
  index?: boolean;
  /** buildx-style attestation manifests (one per platform image); OCI media types only. */
  attestations?: boolean;
  mediaTypes?: MediaTypeFamily;
  /** Content seed; defaults to the tag name. Changing it changes every digest ("upstream moved"). */
  seed?: string;
  /** Per-platform seeds, to move some platforms and keep others. */
  platformSeeds?: Record<string, string>;
  layers?: number;
  /** Size of the incompressible payload in each layer (0 by default: layers are tiny). */
  layerBytes?: number;
  /** Layers as plain tar (OCI media type), not gzipped: quicker to make when they are large. */
  uncompressed?: boolean;
  labels?: Record<string, string>;
  created?: string;
  /** The config's `author`. */
  author?: string;
  /** More of the config's `config` (Cmd, WorkingDir, ExposedPorts…), beside its Env and Labels. */
  runConfig?: Record<string, unknown>;
}

export interface LayoutSpec {
  tags: Record<string, ImageSpec>;
  /** Mixed into every tag's seed. */
  seed?: string;
  mediaTypes?: MediaTypeFamily;
  layerBytes?: number;
}

export interface GeneratedManifest {
  platform: string;
  digest: string;
  mediaType: string;
  size: number;
  configDigest: string;
  layerDigests: string[];
  diffIds: string[];
}

export interface GeneratedAttestation {
  digest: string;
  mediaType: string;
  size: number;
  /** The image manifest this attestation describes. */
  subject: string;
}

export interface GeneratedImage {
  tag: string;
  /** The tag's top-level digest: the index/list for multi-platform images, else the image manifest. */
  digest: string;
  mediaType: string;
  size: number;
  bytes: Buffer;
  isIndex: boolean;
  /** Image manifests in index order (just the one for a single image). */
  manifests: GeneratedManifest[];
  /** Keyed by the platform string as written in the spec. */
  platforms: Record<string, GeneratedManifest>;
  attestations: GeneratedAttestation[];
}

export interface GeneratedLayout {
  dir: string;
  tags: Record<string, GeneratedImage>;
}

interface Blob {
  digest: string;
  size: number;
  bytes: Buffer;
}

interface WirePlatform {
  os: string;
  architecture: string;
  variant?: string;
}

function blobOf(bytes: Buffer): Blob {
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, bytes };
}

function jsonBlob(value: unknown): Blob {
  return blobOf(Buffer.from(JSON.stringify(value)));
}

function wirePlatform(platform: string): WirePlatform {
  const [os, architecture, variant, ...rest] = platform.split('/');
  if (!os || !architecture || rest.length > 0)
    throw new Error(`platform ${JSON.stringify(platform)} is not os/arch[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Writes blobs into an OCI layout's `blobs/` as they are produced. */
class BlobWriter {
  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  }

  write(blob: Blob): Blob {
    const path = join(this.dir, 'blobs', 'sha256', blob.digest.slice('sha256:'.length));
    if (!existsSync(path)) writeFileSync(path, blob.bytes);
    return blob;
  }

  read(digest: string): Buffer {
    return readFileSync(join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  }
}

interface ImageContext {
  spec: ImageSpec;
  family: MediaTypeFamily;
  seed: string;
  layerBytes: number;
  blobs: BlobWriter;
}

function layer(seed: string, index: number, layerBytes: number, uncompressed = false): { blob: Blob; diffId: string } {
  const entries: TarEntry[] = [
    { name: 'etc/' },
    { name: `etc/imagestreams-layer-${index}`, content: Buffer.from(`${seed} layer ${index}\n`) },
  ];
  if (layerBytes > 0)
    entries.push({ name: `payload-${index}.bin`, content: seededBytes(`${seed}/${index}`, layerBytes) });
  const archive = blobOf(tar(entries));
  return { blob: uncompressed ? archive : blobOf(gzip(archive.bytes)), diffId: archive.digest };
}

function platformImage(context: ImageContext, platform: string): GeneratedManifest {
  const { spec, family, blobs } = context;
  const types = MEDIA_TYPES[family];
  const seed = `${spec.platformSeeds?.[platform] ?? context.seed}|${platform}`;
  const created = spec.created ?? DEFAULT_CREATED;
  const layers = Array.from({ length: spec.layers ?? 1 }, (_, i) =>
    layer(seed, i, context.layerBytes, spec.uncompressed),
  );
  const layerType = spec.uncompressed ? OCI_LAYER_TAR : types.layer;
  for (const { blob } of layers) blobs.write(blob);
  const config = blobs.write(
    jsonBlob({
      ...wirePlatform(platform),
      created,
      ...(spec.author !== undefined && { author: spec.author }),
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        Labels: spec.labels ?? {},
        ...spec.runConfig,
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created, created_by: `imagestreams test layer ${i}` })),
    }),
  );
  const manifest = blobs.write(
    jsonBlob({
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, digest: config.digest, size: config.size },
      layers: layers.map(({ blob }) => ({ mediaType: layerType, digest: blob.digest, size: blob.size })),
    }),
  );
  return {
    platform,
    digest: manifest.digest,
    mediaType: types.manifest,
    size: manifest.size,
    configDigest: config.digest,
    layerDigests: layers.map((l) => l.blob.digest),
    diffIds: layers.map((l) => l.diffId),
  };
}

function attestation(blobs: BlobWriter, subject: GeneratedManifest): GeneratedAttestation {
  const statement = blobs.write(
    jsonBlob({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://spdx.dev/Document',
      subject: [
        {
          name: `pkg:docker/imagestreams-test?platform=${encodeURIComponent(subject.platform)}`,
          digest: { sha256: subject.digest.slice(7) },
        },
      ],
      predicate: { spdxVersion: 'SPDX-2.3', name: `sbom for ${subject.platform}` },
    }),
  );
  const config = blobs.write(
    jsonBlob({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: [statement.digest] },
    }),
  );
  const manifest = blobs.write(
    jsonBlob({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.oci.manifest,
      config: { mediaType: MEDIA_TYPES.oci.config, digest: config.digest, size: config.size },
      layers: [
        {
          mediaType: IN_TOTO,
          digest: statement.digest,
          size: statement.size,
          annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' },
        },
      ],
    }),
  );
  return { digest: manifest.digest, mediaType: MEDIA_TYPES.oci.manifest, size: manifest.size, subject: subject.digest };
}

function indexEntries(manifests: GeneratedManifest[], attestations: GeneratedAttestation[]): object[] {
  const images = manifests.map((m) => ({
    mediaType: m.mediaType,
    digest: m.digest,
    size: m.size,
    platform: wirePlatform(m.platform),
  }));
  const attached = attestations.map((a) => ({
    mediaType: a.mediaType,
    digest: a.digest,
    size: a.size,
    annotations: { 'vnd.docker.reference.digest': a.subject, 'vnd.docker.reference.type': 'attestation-manifest' },
    platform: { architecture: 'unknown', os: 'unknown' },
  }));
  return [...images, ...attached];
}

function generateImage(tag: string, context: ImageContext): GeneratedImage {
  const { spec, family, blobs } = context;
  if (spec.platforms.length === 0) throw new Error(`tag ${tag}: at least one platform is needed`);
  if (spec.attestations && family !== 'oci') throw new Error(`tag ${tag}: attestations need OCI media types`);
  const manifests = spec.platforms.map((platform) => platformImage(context, platform));
  const platforms = Object.fromEntries(manifests.map((m) => [m.platform, m]));
  const isIndex = spec.index === true || manifests.length > 1 || spec.attestations === true;
  if (!isIndex) {
    const only = manifests[0]!;
    const bytes = blobs.read(only.digest);
    return {
      tag,
      digest: only.digest,
      mediaType: only.mediaType,
      size: only.size,
      bytes,
      isIndex,
      manifests,
      platforms,
      attestations: [],
    };
  }
  const attestations = spec.attestations ? manifests.map((m) => attestation(blobs, m)) : [];
  const mediaType = MEDIA_TYPES[family].index;
  const index = blobs.write(
    jsonBlob({ schemaVersion: 2, mediaType, manifests: indexEntries(manifests, attestations) }),
  );
  return {
    tag,
    digest: index.digest,
    mediaType,
    size: index.size,
    bytes: index.bytes,
    isIndex,
    manifests,
    platforms,
    attestations,
  };
}

interface LayoutIndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

function readLayoutIndex(dir: string): LayoutIndexEntry[] {
  const path = join(dir, 'index.json');
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as { manifests?: LayoutIndexEntry[] }).manifests ?? [];
}

/** An upstream of version tags in the layout at `dir`: each tag its own image, of `platforms`. */
export function writeVersionTags(dir: string, tags: readonly string[], platforms = ['linux/amd64']): GeneratedLayout {
  return writeImageLayout(dir, {
    tags: Object.fromEntries(tags.map((t) => [t, { platforms, seed: `pg-${t}` }])),
  });
}

/**
 * Generates deterministic images into the OCI image layout at `dir` (created when missing). Tags already in the
 * layout are replaced; other tags and all blobs are kept, so a layout can be updated to simulate an upstream move.
 */
export function writeImageLayout(dir: string, spec: LayoutSpec): GeneratedLayout {
  const blobs = new BlobWriter(dir);
  const tags: Record<string, GeneratedImage> = {};
  for (const [tag, imageSpec] of Object.entries(spec.tags)) {
    tags[tag] = generateImage(tag, {
      spec: imageSpec,
      family: imageSpec.mediaTypes ?? spec.mediaTypes ?? 'oci',
      seed: `${spec.seed ?? ''}|${imageSpec.seed ?? tag}`,
      layerBytes: imageSpec.layerBytes ?? spec.layerBytes ?? 0,
      blobs,
    });
  }
  const kept = readLayoutIndex(dir).filter((entry) => !((entry.annotations?.[REF_NAME] ?? '') in tags));
  const added = Object.values(tags).map((image) => ({
    mediaType: image.mediaType,
    digest: image.digest,
    size: image.size,
    annotations: { [REF_NAME]: image.tag },
  }));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [...kept, ...added] }));
  return { dir, tags };
}
