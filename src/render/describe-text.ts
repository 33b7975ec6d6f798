import type { TagItem } from '../core/state-model.js';
import { field, mapField } from './describe-fields.js';
import { imageText } from './describe-image.js';
import { tagBlock, tagsText } from './describe-tags.js';
import type { DescribedStream, DescribedTag } from './described-stream.js';
import { ago } from './oc-units.js';
import { alignTabs } from './tab-writer.js';

export { type DescribedStream, type DescribedTag, describeStream } from './described-stream.js';

export interface DescribeTextOptions {
  now: Date;
  /** An item a dry run shows as it would be imported: it has no import time or generation yet. */
  notImported?: TagItem;
}

/** `describe STREAM`, as `oc describe is`: the stream, then each tag with its source and history; no images. */
export function renderStreamDescription(stream: DescribedStream, options: DescribeTextOptions): string {
  return renderStreamSummary(stream, options);
}

/**
 * `describe STREAM:TAG`, as `oc describe istag`: the tag's current image. A tag without one has no image to show:
 * its block of `describe STREAM` says why (not imported yet, or its import failed).
 */
export function renderTagDescription(tag: DescribedTag, options: DescribeTextOptions): string {
  return tag.items[0] ? renderImage(tag, options) : `${alignTabs(tagBlock(tag, options).join('\n'))}\n`;
}

/**
 * The stream as `oc describe is` prints it: its name, namespace (the catalog), when its oldest recorded import was,
 * labels and annotations (none), the repository its Local tags are mirrored to, the counts, then each tag.
 */
export function renderStreamSummary(stream: DescribedStream, options: DescribeTextOptions): string {
  const lines = [...field('Name', stream.name), ...field('Namespace', stream.catalog)];
  const oldest = stream.tags
    .flatMap((t) => t.items)
    .filter((item) => item !== options.notImported)
    .map((item) => item.created)
    .sort()[0];
  if (oldest) lines.push(`Created:\t${ago(oldest, options.now)}`);
  lines.push(...mapField('Labels', {}), ...mapField('Annotations', {}));
  lines.push(...field('Image Repository', stream.imageRepository ?? ''), ...field('Image Lookup', 'local=false'));
  lines.push(...tagsText(stream, options));
  return `${alignTabs(lines.join('\n'))}\n`;
}

/** The tag's current image as `oc describe istag` prints it. */
export function renderImage(tag: DescribedTag, options: DescribeTextOptions): string {
  const item = tag.items[0];
  if (!item) return `${tag.address} has no image yet.\n`;
  return `${alignTabs(imageText(item, options).join('\n'))}\n`;
}
