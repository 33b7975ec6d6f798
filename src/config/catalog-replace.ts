import type { Catalog, ImportMode, ReferencePolicy } from '../core/catalog.js';
import { UsageError } from '../core/errors.js';
import { parseImageSource } from '../core/reference.js';
import { type CatalogEdit, type CatalogText, result, validated } from './catalog-edit.js';
import { deleteYamlKey, hasYamlKey, setYamlValue, type YamlEntries, type YamlValue } from './yaml-source-edit.js';

/** A tag's whole spec as `tag` gives it (oc's TagReference): what it does not name is the default. */
export interface TagReplacement {
  /** A Docker reference or `oci:…`, a compact reference, or OpenShift's `{kind, name}` as entries. */
  from: string | YamlEntries;
  /** True when `from` names a tag or an image of a stream of the catalog: never scheduled nor insecure. */
  follows: boolean;
  importMode: ImportMode;
  referencePolicy: ReferencePolicy;
  scheduled: boolean;
  insecure: boolean;
}

/** Keys of a tag that a replaced spec removes when it does not set them. */
const REPLACED_KEYS = ['preferPlatform', 'annotations'] as const;

/**
 * Replaces the spec of `stream:tag` (creating the tag, and its stream, when missing): its `from`, and each setting
 * written only where it differs from the catalog's default (a key it had that is now the default is removed, and so
 * are its preferred platform and annotations). Keys kept are changed in place; comments and layout stay as they were.
 * The result is validated as a whole.
 */
export function replaceCatalogTag(
  source: CatalogText,
  stream: string,
  tag: string,
  wanted: TagReplacement,
): CatalogEdit {
  const catalog = validated(source, source.text);
  const path = ['streams', stream, 'tags', tag];
  checkInsecure(wanted);
  const settings = settingEntries(wanted, catalog);
  if (!hasYamlKey(source.text, path)) {
    return result(source, setYamlValue(source.text, path, [['from', wanted.from], ...settings]));
  }
  let text = setFrom(source.text, [...path, 'from'], wanted.from);
  const values = new Map<string, YamlValue>(settings);
  for (const key of ['importMode', 'referencePolicy', 'scheduled', 'insecure', ...REPLACED_KEYS]) {
    const value = values.get(key);
    const at = [...path, key];
    if (value !== undefined) text = setYamlValue(text, at, value);
    else if (hasYamlKey(text, at)) text = deleteYamlKey(text, at);
  }
  return result(source, text);
}

/** The settings that differ from what the catalog gives a tag that does not set them. */
function settingEntries(wanted: TagReplacement, catalog: Catalog): [string, YamlValue][] {
  const { defaults } = catalog;
  const entries: [string, YamlValue][] = [];
  if (wanted.importMode !== defaults.importMode) entries.push(['importMode', wanted.importMode]);
  if (wanted.referencePolicy !== defaults.referencePolicy) entries.push(['referencePolicy', wanted.referencePolicy]);
  // A tag that follows another is never scheduled nor insecure, whatever the defaults say.
  if (!wanted.follows && wanted.scheduled !== defaults.scheduled) entries.push(['scheduled', wanted.scheduled]);
  if (!wanted.follows && wanted.insecure) entries.push(['insecure', true]);
  return entries;
}

/** `from` in place when both the old and the new one are strings (or both mappings); replaced otherwise. */
function setFrom(text: string, path: string[], from: string | YamlEntries): string {
  const wasMapping = isMappingAt(text, path);
  if (typeof from === 'string' && !wasMapping) return setYamlValue(text, path, from);
  if (typeof from !== 'string' && wasMapping) {
    let edited = text;
    for (const [key, value] of from) edited = setYamlValue(edited, [...path, key], value);
    return edited;
  }
  return setYamlValue(deleteYamlKey(text, path), path, from);
}

function checkInsecure(wanted: TagReplacement): void {
  if (!wanted.insecure || wanted.follows || typeof wanted.from !== 'string') return;
  if (parseImageSource(wanted.from).transport === 'layout') {
    throw new UsageError(`--insecure does not apply to ${wanted.from}: an image layout on disk has no TLS to skip`);
  }
}

/** True when the value at `path` is a mapping (OpenShift's form of `from`). */
export function isMappingAt(text: string, path: string[]): boolean {
  try {
    hasYamlKey(text, [...path, 'kind']);
    return true;
  } catch {
    return false;
  }
}
