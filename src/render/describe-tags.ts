import { specEquals } from '../core/planner.js';
import { parseReference } from '../core/reference.js';
import type { TagItem } from '../core/state-model.js';
import { cell } from './describe-fields.js';
import type { DescribedStream, DescribedTag } from './described-stream.js';
import { ago } from './oc-units.js';
import { prioritizedTags } from './tag-priority.js';

export interface TagTextOptions {
  now: Date;
  /** An item a dry run shows as it would be imported: it has no import time yet. */
  notImported?: TagItem;
}

export const NOT_IMPORTED = '(dry run: not imported)';

/** `Unique Images:` and `Tags:`, then a block per tag in oc's order, blank lines between (tab-separated text). */
export function tagsText(stream: DescribedStream, options: TagTextOptions): string[] {
  if (stream.tags.length === 0) return ['Tags:\t<none>'];
  const unique = new Set(stream.tags.flatMap((t) => t.items.map((i) => i.digest))).size;
  const lines = [`Unique Images:\t${unique}`, `Tags:\t${stream.tags.length}`, ''];
  const byName = new Map(stream.tags.map((t) => [t.tag, t]));
  prioritizedTags([...byName.keys()]).forEach((name, index) => {
    if (index > 0) lines.push('');
    lines.push(...tagBlock(byName.get(name)!, options));
  });
  return lines;
}

/**
 * One tag as oc describes it in a stream: its name, its source, then its import errors and its history; `details`
 * adds lines after each item.
 */
export function tagBlock(
  tag: DescribedTag,
  options: TagTextOptions,
  details: (item: TagItem) => string[] = () => [],
): string[] {
  const lines = [tag.tag, ...sourceLines(tag)];
  if (tag.spec.insecure) lines.push('    will use insecure HTTPS or HTTP connections');
  if (tag.spec.referencePolicy === 'Local') lines.push('    prefer registry pullthrough when referencing this tag');
  lines.push('', ...annotationLines(tag.annotations), ...pendingLines(tag));
  for (const condition of tag.conditions) {
    lines.push(`  ! error: Import failed (${condition.reason}): ${cell(condition.message)}`);
    lines.push(`      ${ago(condition.lastTransitionTime, options.now)}`);
  }
  tag.items.forEach((item, index) => {
    lines.push(...itemLines(item, index === 0, options), ...details(item));
  });
  return lines;
}

/**
 * Where the tag's image comes from, as oc words it for a `DockerImage` source. A tag that follows another tag of a
 * stream (`ImageStreamTag`) is worded here too: `tagged from STREAM:TAG`, `reference to …` for an alias.
 */
function sourceLines(tag: DescribedTag): string[] {
  if (!tag.inCatalog) return ['  no spec tag (removed from the catalog: the next apply forgets it)'];
  const { scheduled } = tag.spec;
  const from = cell(tag.spec.from);
  if (!scheduled) return [`  tagged from ${from}`];
  return [`  updates automatically from ${from.startsWith('oci:') ? '' : 'registry '}${from}`];
}

/** oc's lines for the tag annotations it knows, then a blank line when there were any. */
function annotationLines(annotations: Record<string, string>): string[] {
  const own = (key: string) => (Object.hasOwn(annotations, key) ? cell(annotations[key]!) : '');
  const list = (key: string) => own(key).split(',').join(', ');
  const lines: string[] = [];
  if (own('description')) lines.push(`  ${own('description')}`);
  if (own('tags')) lines.push(`  Tags: ${list('tags')}`);
  if (own('supports')) lines.push(`  Supports: ${list('supports')}`);
  if (own('sampleRepo')) lines.push(`  Example Repo: ${own('sampleRepo')}`);
  return lines.length > 0 ? [...lines, ''] : [];
}

/** Where oc says `~ importing latest image ...`: the catalog asks for an import the state has not seen yet. */
function pendingLines(tag: DescribedTag): string[] {
  if (!tag.inCatalog) return [];
  if (tag.items.length > 0 && tag.importedSpec && !specEquals(tag.importedSpec, tag.spec)) {
    return ['  ~ the catalog changed since the last import: apply re-imports it'];
  }
  if (tag.items.length === 0 && tag.conditions.length === 0) return ['  ~ not imported yet: run apply or import-image'];
  return [];
}

/** `* pull spec` for the current item, then when it was imported, and its image when the pull spec names another. */
function itemLines(item: TagItem, current: boolean, { now, notImported }: TagTextOptions): string[] {
  const when = item === notImported ? NOT_IMPORTED : ago(item.created, now);
  const image = namesOtherImage(item) ? `\t${item.digest}` : '';
  return [`  ${current ? '*' : ' '} ${cell(item.dockerImageReference)}`, `      ${when}${image}`];
}

/** Whether the pull spec parses as a registry reference (an image layout's does not) with another digest. */
function namesOtherImage(item: TagItem): boolean {
  if (item.dockerImageReference.startsWith('oci:')) return false;
  try {
    return parseReference(item.dockerImageReference).digest !== item.digest;
  } catch {
    return false;
  }
}
