import type { TagItem } from '../core/state-model.js';
import { field } from './describe-fields.js';
import { manifestLine } from './describe-image.js';
import { NOT_IMPORTED, type TagTextOptions, tagBlock } from './describe-tags.js';
import type { DescribedTag } from './described-stream.js';
import { alignTabs } from './tab-writer.js';

export type HistoryTextOptions = TagTextOptions;

const INDENT = '      ';

/**
 * `history STREAM:TAG`: the tag's block as `oc describe is` prints it (source, import errors, every item newest
 * first, `*` on the current one), each item followed by its generation, import time, digest, media type and
 * manifests.
 */
export function renderHistoryText(tag: DescribedTag, options: HistoryTextOptions): string {
  const lines = tagBlock(tag, options, (item) => itemDetails(item, options));
  return `${alignTabs(lines.join('\n'))}\n`;
}

function itemDetails(item: TagItem, options: HistoryTextOptions): string[] {
  const dryRun = item === options.notImported;
  const rows = [
    ...field('Generation', dryRun ? NOT_IMPORTED : String(item.generation)),
    ...field('Imported', dryRun ? NOT_IMPORTED : item.created),
    ...field('Digest', item.digest),
    ...field('Media Type', item.mediaType),
    ...field('Manifests', item.manifests.map(manifestLine).join('\n')),
  ];
  return rows.map((row) => `${INDENT}${row}`);
}
