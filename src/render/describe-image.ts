import { isIndexMediaType } from '../core/media-types.js';
import type { ImageMetadata, ManifestEntry, TagItem } from '../core/state-model.js';
import { cell, field, mapField } from './describe-fields.js';
import { NOT_IMPORTED } from './describe-tags.js';
import { ago, humanSize } from './oc-units.js';

export interface ImageTextOptions {
  now: Date;
  /** An item a dry run shows as it would be imported: it has no import time yet. */
  notImported?: TagItem;
}

/**
 * An item as `oc describe istag` shows its image (tab-separated text): its names, when it was imported, its size and
 * layers, when it was built, its platform or the manifests of a list, then what its config sets.
 */
export function imageText(item: TagItem, options: ImageTextOptions): string[] {
  const list = isIndexMediaType(item.mediaType);
  const image = list ? undefined : (item.manifests.find((m) => m.digest === item.digest) ?? item.manifests[0]);
  const lines = [
    ...field('Image Name', item.digest),
    ...field('Docker Image', cell(item.dockerImageReference)),
    ...field('Name', item.digest),
  ];
  if (item === options.notImported) lines.push(...field('Created', NOT_IMPORTED));
  else lines.push(`Created:\t${ago(item.created, options.now)}`);
  const images = list ? listed(item.manifests) : image?.image ? [image.image] : [];
  lines.push(...sizeLines(images), ...field('Image Created', createdText(images, options.now)));
  lines.push(...field('Author', cell(image?.image?.author ?? '')));
  lines.push(...field('Arch', list ? '' : architecture(image?.platform)));
  if (list) lines.push(...field('Manifests', item.manifests.map(manifestLine).join('\n')));
  lines.push(...configLines(image?.image));
  return lines;
}

/** The metadata of a list's images (attestations are no images to run). */
function listed(manifests: ManifestEntry[]): ImageMetadata[] {
  return manifests.filter((m) => !m.attestation && m.image).map((m) => m.image!);
}

/**
 * oc's `Image Size: N in L layers` and a line per layer when the layers are known; `Layer Size:` alone when they are
 * not: for a list (the total of its images) and for an image recorded before layers were.
 */
function sizeLines(images: ImageMetadata[]): string[] {
  const total = images.reduce((sum, image) => sum + image.size, 0);
  const [single] = images;
  if (images.length !== 1 || !single!.layerSizes) return field('Layer Size', images.length ? humanSize(total) : '');
  const layers = single!.layerSizes.map((layer) => `${humanSize(layer.size)}\t${cell(layer.digest)}`);
  const unlisted = single!.layers - single!.layerSizes.length;
  if (unlisted > 0) layers.push(`… ${unlisted} more`);
  return [
    ...field('Image Size', `${humanSize(total)} in ${single!.layers} layers`),
    ...field('Layers', layers.join('\n')),
  ];
}

/** When the image was built; for a list, its newest image. */
function createdText(images: ImageMetadata[], now: Date): string {
  const newest = images
    .map((image) => image.created)
    .filter((created): created is string => created !== undefined && !Number.isNaN(Date.parse(created)))
    .sort()
    .at(-1);
  return newest ? ago(newest, now) : '';
}

/** `amd64`, `arm`: the architecture of `os/arch[/variant][:osversion]`, as oc shows an image's. */
function architecture(platform: string | undefined): string {
  return platform?.split(':')[0]?.split('/')[1] ?? '';
}

/** `os/arch[/variant]<TAB>digest`, an attestation marked. */
export function manifestLine(manifest: ManifestEntry): string {
  return `${cell(manifest.platform)}\t${manifest.digest}${manifest.attestation ? '  (attestation)' : ''}`;
}

/** What the image's config sets, as oc prints it; a list has no config, so it shows `<none>` throughout. */
function configLines(image: ImageMetadata | undefined): string[] {
  const lines: string[] = [];
  const words = (values: string[] | undefined) => (values ?? []).map(cell).join(' ');
  if (image?.entrypoint?.length) lines.push(...field('Entrypoint', words(image.entrypoint)));
  if (image?.cmd?.length || !image?.entrypoint?.length) lines.push(...field('Command', words(image?.cmd)));
  lines.push(...field('Working Dir', cell(image?.workingDir ?? '')));
  lines.push(...field('User', cell(image?.user ?? '')));
  lines.push(...field('Exposes Ports', (image?.exposedPorts ?? []).map(cell).join(', ')));
  lines.push(...mapField('Docker Labels', image?.labels ?? {}));
  lines.push(...listField('Environment', image?.env));
  lines.push(...listField('Volumes', image?.volumes));
  return lines;
}

/** A line per value, none at all when there are no values. */
function listField(label: string, values: string[] | undefined): string[] {
  return values?.length ? field(label, values.map(cell).join('\n')) : [];
}
