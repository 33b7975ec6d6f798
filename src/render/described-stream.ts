import { dirname, join, relative } from 'node:path';
import { allCatalogTags, type Catalog, type TagSpec } from '../core/catalog.js';
import { recordedStream, recordedTag } from '../core/state-lookup.js';
import type { State, TagCondition, TagItem } from '../core/state-model.js';

/** A tag as `describe` shows it: what the catalog declares and what the state recorded. */
export interface DescribedTag {
  address: string;
  stream: string;
  tag: string;
  /** False for a tag removed from the catalog that the state holds until the next apply. */
  inCatalog: boolean;
  /** The spec the catalog declares; for a tag no longer in the catalog, the one it was imported with. */
  spec: TagSpec;
  /** The spec of the last import; null before the first. */
  importedSpec: TagSpec | null;
  /** How often `watch` checks a scheduled tag, in milliseconds; null for a tag no longer in the catalog. */
  scheduleIntervalMs: number | null;
  /** The tag's annotations in the catalog (oc shows `description`, `tags`, `supports` and `sampleRepo`). */
  annotations: Record<string, string>;
  /** Newest first. */
  items: TagItem[];
  conditions: TagCondition[];
}

export interface DescribedStream {
  name: string;
  /** The catalog file, as shown to the user: the stream's namespace. */
  catalog: string;
  /** Where `referencePolicy: Local` tags of the stream are mirrored; null when the catalog has no local store. */
  imageRepository: string | null;
  /** The catalog's tags in catalog order, then those only the state still holds. */
  tags: DescribedTag[];
}

/** The stream as the catalog and the state know it; undefined when neither has it. */
export function describeStream(catalog: Catalog, state: State, stream: string): DescribedStream | undefined {
  const recorded = recordedStream(state, stream)?.tags ?? {};
  const tags: DescribedTag[] = allCatalogTags(catalog)
    .filter((t) => t.stream === stream)
    .map((t) => {
      const imported = recordedTag(state, stream, t.tag);
      return {
        address: t.address,
        stream,
        tag: t.tag,
        inCatalog: true,
        spec: t.spec,
        importedSpec: imported?.spec ?? null,
        scheduleIntervalMs: t.scheduleIntervalMs,
        annotations: t.annotations,
        items: imported?.items ?? [],
        conditions: imported?.conditions ?? [],
      };
    });
  for (const name of Object.keys(recorded).sort()) {
    if (tags.some((t) => t.tag === name)) continue;
    const tagState = recorded[name]!;
    tags.push({
      address: `${stream}:${name}`,
      stream,
      tag: name,
      inCatalog: false,
      spec: tagState.spec,
      importedSpec: tagState.spec,
      scheduleIntervalMs: null,
      annotations: {},
      items: tagState.items,
      conditions: tagState.conditions,
    });
  }
  if (tags.length === 0) return undefined;
  const mirrored = catalog.local?.noLinksBelow === undefined || tags.some((t) => t.spec.referencePolicy === 'Local');
  const imageRepository = mirrored ? localRepository(catalog, stream) : null;
  return { name: stream, catalog: catalog.displayPath, imageRepository, tags };
}

/**
 * The stream's repository in the catalog's local store, as its pull specs name it. The default store beside the
 * catalog is named only for a stream that mirrors into it.
 */
function localRepository(catalog: Catalog, stream: string): string | null {
  const local = catalog.local;
  if (local?.registry) return `${local.registry}/${stream}`;
  if (local?.layout) return `oci:${join(relative(dirname(catalog.path), local.layout) || '.', stream)}`;
  return null;
}
