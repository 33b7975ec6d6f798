import { RegistryError } from '../core/errors.js';
import { type Descriptor, type ImageManifest, isAttestation } from '../core/manifest.js';
import { MAX_CONFIG_BYTES } from '../core/media-types.js';
import { formatPlatform, platformFromWire } from '../core/platform.js';
import type { ImageMetadata, ManifestEntry } from '../core/state-model.js';
import { readDescribedBlob } from './described.js';
import type { FetchedManifest, ImageRepository } from './repository.js';

/** An image config as far as we read it. */
interface ImageConfig {
  os?: unknown;
  architecture?: unknown;
  variant?: unknown;
  'os.version'?: unknown;
  created?: unknown;
  config?: { Labels?: unknown } | null;
}

/** The manifests of a fetched image: the children of a list, or the image itself with its platform read from its config. */
export async function manifestEntries(repo: ImageRepository, fetched: FetchedManifest): Promise<ManifestEntry[]> {
  if (fetched.manifest.kind === 'index') return fetched.manifest.manifests.map(childEntry);
  const config = await readConfig(repo, fetched.manifest);
  return [
    {
      platform: formatPlatform(platformFromWire(config)),
      digest: fetched.digest,
      mediaType: fetched.mediaType,
      size: fetched.size,
    },
  ];
}

export function childEntry(descriptor: Descriptor): ManifestEntry {
  const entry: ManifestEntry = {
    platform: formatPlatform(platformFromWire(descriptor.platform)),
    digest: descriptor.digest,
    mediaType: descriptor.mediaType,
    size: descriptor.size,
  };
  if (isAttestation(descriptor)) entry.attestation = true;
  return entry;
}

/** OpenShift-style image metadata of one image manifest: created, labels, layer count and total size. */
export async function imageMetadata(repo: ImageRepository, manifest: ImageManifest): Promise<ImageMetadata> {
  const config = await readConfig(repo, manifest);
  const labels = config.config?.Labels;
  const metadata: ImageMetadata = {
    labels: isStringMap(labels) ? labels : {},
    layers: manifest.layers.length,
    size: manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
  };
  if (typeof config.created === 'string') metadata.created = config.created;
  return metadata;
}

async function readConfig(repo: ImageRepository, manifest: ImageManifest): Promise<ImageConfig> {
  const what = `image config ${manifest.config.digest} of ${repo.name}`;
  const bytes = await readDescribedBlob(repo, manifest.config, MAX_CONFIG_BYTES, what);
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not an object');
    return doc as ImageConfig;
  } catch {
    throw new RegistryError('InvalidManifest', `${what} is not a JSON object`);
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}
