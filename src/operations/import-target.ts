import { allCatalogTags, type Catalog, type CatalogTag, isReferenceTag } from '../core/catalog.js';
import { UsageError } from '../core/errors.js';
import { targetName } from '../core/tag-reference.js';

/** The tag import-image imports for `stream:tag`: the tag itself, or the one its same-stream references lead to. */
export interface ImportTarget {
  /** Undefined when the stream has no such tag. */
  tag?: CatalogTag;
  /** True when `tag` was reached through at least one reference. */
  followed: boolean;
}

/** Whether the catalog has the stream, with tags of any kind or none. */
export function hasStream(catalog: Catalog, stream: string): boolean {
  return (
    (catalog.streams ?? []).some((s) => s.name === stream) || allCatalogTags(catalog).some((t) => t.stream === stream)
  );
}

/**
 * Follows `stream:tag` through references to tags of the same stream, as oc's import-image does before importing:
 * a tag following another stream's tag, or an image of a stream, cannot be imported, with oc's messages. The
 * catalog has no cycles (validated), so the walk ends.
 */
export function importTarget(catalog: Catalog, stream: string, tag: string): ImportTarget {
  const tags = new Map(allCatalogTags(catalog).map((t) => [t.address, t]));
  let followed = false;
  for (let current = tags.get(`${stream}:${tag}`); current; followed = true) {
    if (!isReferenceTag(current)) return { tag: current, followed };
    const { target } = current;
    if (target.kind === 'ImageStreamImage') {
      throw new UsageError(
        `tag "${tag}" points to existing ${target.kind} "${targetName(target)}", it cannot be re-imported`,
      );
    }
    if (target.stream !== stream)
      throw new UsageError(`tag "${tag}" points to an imagestreamtag from another ImageStream`);
    current = tags.get(`${stream}:${target.tag}`);
  }
  return { followed };
}
