import { RegistryError } from '../core/errors.js';
import { summarizeImageConfig } from '../core/image-config-summary.js';
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
  author?: unknown;
  config?: unknown;
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

/** OpenShift-style image metadata of one image manifest: its config's summary, layer count and total size. */
export async function imageMetadata(repo: ImageRepository, manifest: ImageManifest): Promise<ImageMetadata> {
  const config = await readConfig(repo, manifest);
  return summarizeImageConfig(config, manifest.layers, manifest.config.size);
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
