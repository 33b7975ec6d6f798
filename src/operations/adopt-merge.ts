import { findTag } from '../config/catalog-edit.js';
import { PREFER_ARCH_ANNOTATION, PREFER_OS_ANNOTATION } from '../config/platform-preference.js';
import { mergeYamlValue } from '../config/yaml-merge.js';
import { type YamlEntries, type YamlValue, yamlMappingShape } from '../config/yaml-source-edit.js';
import { allCatalogTags, type Catalog, isReferenceTag } from '../core/catalog.js';
import {
  type CatalogNames,
  compactTarget,
  parseTargetName,
  type ReferenceKind,
  targetName,
} from '../core/tag-reference.js';
import type { AdoptedStream, AdoptedTag } from '../openshift/adopt-streams.js';
import { preferenceAnnotations } from '../openshift/prefer-annotations.js';

/** Keys of a catalog stream an ImageStream carries; the others (`update`, `discover`) only the catalog knows. */
const STREAM_KEYS = ['labels', 'annotations', 'lookupPolicy', 'tags'];
/**
 * Keys of a catalog tag an ImageStream's tag carries (`preferPlatform` as the prefer-arch/prefer-os annotations);
 * the others (`scheduleInterval`) only the catalog knows.
 */
const TAG_KEYS = ['from', 'importMode', 'referencePolicy', 'scheduled', 'insecure', 'preferPlatform', 'annotations'];

/**
 * The catalog text with the adopted stream written in: a new stream after the others; a stream the catalog has
 * (`--replace`) rewritten in place to what the ImageStream says, its tags the ImageStream lacks removed. What an
 * ImageStream cannot carry stays as written (a stream's `update` and `discover`, a tag's `scheduleInterval`), and so
 * do comments and layout, a follower's `stream:tag` spelling, and a `preferPlatform` its annotations repeat.
 */
export function withAdoptedStream(
  text: string,
  stream: AdoptedStream,
  before: Catalog,
  /** Every stream the same input adopts: a `stream:tag` is kept only while that tag stays. */
  adopted: readonly AdoptedStream[] = [stream],
): string {
  const path = ['streams', stream.name];
  const kept = new Set<string>();
  const written = yamlMappingShape(text, [...path, 'tags']) ?? new Map<string, Map<string, boolean>>();
  const tags: YamlEntries = stream.tags.map((tag) => {
    const { entries, keep } = tagEntries(written.get(tag.name), stream.name, tag, { before, adopted });
    for (const key of keep) kept.add(`${tag.name}\n${key}`);
    return [tag.name, entries] as const;
  });
  const keep = (at: readonly string[]) => {
    const inStream = at.slice(path.length);
    if (inStream.length === 1) return !STREAM_KEYS.includes(inStream[0]!);
    const [tags, name, key] = inStream;
    return inStream.length === 3 && tags === 'tags' && (!TAG_KEYS.includes(key!) || kept.has(`${name}\n${key}`));
  };
  return mergeYamlValue(text, path, [...stream.entries, ['tags', tags]], keep);
}

/**
 * The adopted tag's entries, and the keys of the catalog's tag that stay as written: they say the same. `written` is
 * the catalog's tag: its keys, and whether each value is a mapping.
 */
function tagEntries(
  written: ReadonlyMap<string, boolean> | undefined,
  stream: string,
  tag: AdoptedTag,
  catalogs: { before: Catalog; adopted: readonly AdoptedStream[] },
): { entries: YamlEntries; keep: string[] } {
  const { before } = catalogs;
  const entries = new Map<string, YamlValue>(tag.entries);
  const from = entries.get('from');
  if (typeof from === 'string' && compactTarget(from, namesAfter(catalogs), `${stream}:${tag.name}`)) {
    entries.set('from', [
      ['kind', 'DockerImage'],
      ['name', from],
    ]);
  }
  if (!written) return { entries: [...entries], keep: [] };
  const keep: string[] = [];
  if (written.get('from') === false && sameFollowed(tag.name, stream, entries.get('from')!, catalogs)) {
    entries.delete('from');
    keep.push('from');
  }
  const preferred = findTag(before, stream, tag.name)?.spec.preferPlatform;
  if (preferred && written.has('preferPlatform') && repeatsPreference(entries, preferred)) {
    keep.push('preferPlatform');
  }
  return { entries: [...entries], keep };
}

/**
 * The streams and tags of the catalog once the adopted streams are written: a DockerImage written as a string that
 * names one of its tags (`app:v1`) would read as following it.
 */
function namesAfter({ before, adopted }: { before: Catalog; adopted: readonly AdoptedStream[] }): CatalogNames {
  const rewritten = new Set(adopted.map((s) => s.name));
  const kept = allCatalogTags(before).filter((t) => !rewritten.has(t.stream));
  return {
    streams: new Set([...(before.streams ?? []).map((s) => s.name), ...kept.map((t) => t.stream), ...rewritten]),
    addresses: new Set([
      ...kept.map((t) => `${t.stream}:${t.tag}`),
      ...adopted.flatMap((s) => s.tags.map((t) => `${s.name}:${t.name}`)),
    ]),
  };
}

/**
 * Whether the catalog writes the follower as `stream:tag` (or `stream@sha256:…`) for the target `from` names, and
 * that tag stays: without it, the compact string would name an image on Docker Hub.
 */
function sameFollowed(
  tag: string,
  stream: string,
  from: YamlValue,
  { before, adopted }: { before: Catalog; adopted: readonly AdoptedStream[] },
): boolean {
  if (typeof from !== 'object') return false;
  const existing = allCatalogTags(before).find((t) => t.stream === stream && t.tag === tag);
  if (!existing || !isReferenceTag(existing)) return false;
  const fields = new Map(from);
  try {
    const target = parseTargetName(fields.get('kind') as ReferenceKind, String(fields.get('name')), stream);
    if (targetName(target) !== targetName(existing.target)) return false;
    const rewritten = adopted.find((s) => s.name === target.stream);
    return target.kind !== 'ImageStreamTag' || !rewritten || rewritten.tags.some((t) => t.name === target.tag);
  } catch {
    return false;
  }
}

/**
 * Whether the adopted annotations only repeat the tag's own `preferPlatform` (as `export` writes it); if so they
 * are left out of the entries.
 */
function repeatsPreference(entries: Map<string, YamlValue>, preferred: string): boolean {
  const annotations = new Map((entries.get('annotations') as YamlEntries | undefined) ?? []);
  const repeated = Object.entries(preferenceAnnotations(preferred, {}));
  if (!repeated.every(([key, value]) => annotations.get(key) === value)) return false;
  annotations.delete(PREFER_ARCH_ANNOTATION);
  annotations.delete(PREFER_OS_ANNOTATION);
  if (annotations.size > 0) entries.set('annotations', [...annotations]);
  else entries.delete('annotations');
  return true;
}
