import {
  addYamlEntries,
  blockPairRegions,
  deleteYamlKeys,
  hasYamlKey,
  setYamlValue,
  type YamlEntries,
  type YamlValue,
  yamlMappingKeys,
} from './yaml-source-edit.js';

type Keep = (path: readonly string[]) => boolean;

/** The key a pair's own text is written under when it is edited apart from the rest of the document. */
const HOLDER = 'h';

/**
 * Writes `value` at `path` touching only what differs, so that comments and layout stay: a mapping over a mapping
 * key by key (new keys after the existing ones, in the order given), and the keys it lacks removed unless `keep`
 * says they stay; a scalar in place of a scalar (in its quoting style) or of a mapping, and a mapping in place of a
 * scalar.
 */
export function mergeYamlValue(
  text: string,
  path: readonly string[],
  value: YamlValue,
  keep: Keep = () => false,
): string {
  if (!hasYamlKey(text, path)) return setYamlValue(text, path, value);
  const existing = yamlMappingKeys(text, path);
  if (typeof value !== 'object' || !existing) return setYamlValue(text, path, value);
  const known = new Set(existing);
  let merged = mergeKeys(
    text,
    path,
    value.filter(([key]) => known.has(key)),
    keep,
  );
  const added = value.filter(([key]) => !known.has(key));
  if (added.length > 0) merged = addYamlEntries(merged, path, added);
  const wanted = new Set(value.map(([key]) => key));
  const unwanted = existing.filter((key) => !wanted.has(key) && !keep([...path, key]));
  return unwanted.length > 0 ? deleteYamlKeys(merged, path, unwanted) : merged;
}

/**
 * Merges the values of keys the mapping at `path` has. In a block mapping each pair is edited in its own text, from
 * the last to the first, so that a mapping of a thousand tags is not parsed again for each edit of each tag.
 */
function mergeKeys(text: string, path: readonly string[], entries: YamlEntries, keep: Keep): string {
  const layout = blockPairRegions(text, path);
  if (!layout)
    return entries.reduce((merged, [key, child]) => mergeYamlValue(merged, [...path, key], child, keep), text);
  const { holderColumn, eol, regions } = layout;
  const holder = `${' '.repeat(holderColumn)}${HOLDER}:${eol}`;
  const inRegion: Keep = (at) => keep([...path, ...at.slice(1)]);
  const ordered = [...entries].sort(([a], [b]) => regions.get(b)!.start - regions.get(a)!.start);
  let merged = text;
  for (const [key, child] of ordered) {
    const { start, end } = regions.get(key)!;
    const edited = mergeYamlValue(holder + merged.slice(start, end), [HOLDER, key], child, inRegion);
    merged = merged.slice(0, start) + edited.slice(holder.length) + merged.slice(end);
  }
  return merged;
}
