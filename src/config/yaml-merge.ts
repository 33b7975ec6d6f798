import { deleteYamlKey, hasYamlKey, setYamlValue, type YamlValue, yamlMappingKeys } from './yaml-source-edit.js';

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
  keep: (path: readonly string[]) => boolean = () => false,
): string {
  if (!hasYamlKey(text, path)) return setYamlValue(text, path, value);
  const existing = yamlMappingKeys(text, path);
  if (typeof value !== 'object' || !existing) return setYamlValue(text, path, value);
  let merged = text;
  for (const [key, child] of value) merged = mergeYamlValue(merged, [...path, key], child, keep);
  const wanted = new Set(value.map(([key]) => key));
  for (const key of existing) {
    const at = [...path, key];
    if (!wanted.has(key) && !keep(at)) merged = deleteYamlKey(merged, at);
  }
  return merged;
}
