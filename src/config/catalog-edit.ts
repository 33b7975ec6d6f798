import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { Catalog, CatalogTag, ImportMode, ReferencePolicy, TagSpec } from '../core/catalog.js';
import { CatalogError, UsageError } from '../core/errors.js';
import { parseCatalog } from './parse-catalog.js';
import { normalizePreference } from './platform-preference.js';
import { deleteYamlKey, hasYamlKey, setYamlValue } from './yaml-source-edit.js';

/** Catalog text with what is needed to validate it as the file at `path`. */
export interface CatalogText {
  text: string;
  /** Absolute path of the catalog file (relative paths in it are taken from its directory). */
  path: string;
  /** The path as shown in messages and diffs. */
  displayPath: string;
  statePathOverride?: string;
  /** Directories outside the catalog's own that its paths may lead into (`--allow-path`). */
  allowedPaths?: readonly string[];
}

/** Settings an edit gives a tag; those left out keep what the catalog says (its own value or the default). */
export interface TagChanges {
  from?: string;
  importMode?: ImportMode;
  referencePolicy?: ReferencePolicy;
  scheduled?: boolean;
  insecure?: boolean;
  /** A platform, or null for none of the tag's own. */
  preferPlatform?: string | null;
}

/** The result of an edit: the text before and after, and the edited catalog, validated. */
export interface CatalogEdit {
  before: string;
  after: string;
  catalog: Catalog;
  changed: boolean;
}

const SPEC_KEYS = ['importMode', 'referencePolicy', 'scheduled'] as const;

/**
 * Gives the tag `stream:tag` the settings in `changes`, creating the tag (and its stream) when missing. A key is
 * written only where the tag's effective value differs from the one asked for, in place when the tag sets it and
 * after its last key otherwise; nothing else in the text changes. The result is validated as a whole: an edit that
 * would make the catalog invalid is refused with the validation problems. An image layout on disk has no TLS: it
 * cannot be made insecure, and `insecure: false` removes an `insecure` key it has.
 */
export function setCatalogTag(source: CatalogText, stream: string, tag: string, changes: TagChanges): CatalogEdit {
  const path = ['streams', stream, 'tags', tag];
  const current = findTag(validated(source, source.text), stream, tag);
  if (!current && changes.from === undefined) {
    throw new UsageError(`${stream}:${tag} does not exist in ${source.displayPath}; a new tag needs a source`);
  }
  let text = source.text;
  if (changes.from !== undefined && current?.spec.from !== changes.from) {
    text = setYamlValue(text, [...path, 'from'], changes.from);
    text = dropInsecureForLayout(text, path, changes.from);
  }
  const edited = requireTag(validated(source, text), stream, tag);
  const { spec } = edited;
  for (const key of SPEC_KEYS) {
    const wanted = changes[key];
    if (wanted !== undefined && spec[key] !== wanted) text = setYamlValue(text, [...path, key], wanted);
  }
  text = setInsecure(text, path, edited, changes.insecure);
  text = setPreferPlatform(text, path, spec, changes.preferPlatform);
  return result(source, text);
}

/** Removes the tag `stream:tag` (and the comments directly above it); a stream left without tags keeps `tags: {}`. */
export function deleteCatalogTag(source: CatalogText, stream: string, tag: string): CatalogEdit {
  const path = ['streams', stream, 'tags', tag];
  validated(source, source.text);
  if (!hasYamlKey(source.text, path)) {
    throw new UsageError(`${stream}:${tag} does not exist in ${source.displayPath}`);
  }
  return result(source, deleteYamlKey(source.text, path));
}

/** The edit as a unified diff of the catalog file, empty when nothing changed. */
export function catalogDiff(edit: CatalogEdit, displayPath: string): string {
  if (!edit.changed) return '';
  return createTwoFilesPatch(displayPath, displayPath, edit.before, edit.after, undefined, undefined, {
    headerOptions: FILE_HEADERS_ONLY,
  });
}

export function findTag(catalog: Catalog, stream: string, tag: string): CatalogTag | undefined {
  return catalog.tags.find((t) => t.stream === stream && t.tag === tag);
}

function requireTag(catalog: Catalog, stream: string, tag: string): CatalogTag {
  const found = findTag(catalog, stream, tag);
  if (!found) throw new UsageError(`${stream}:${tag} is not a tag of ${catalog.displayPath}`);
  return found;
}

function setInsecure(text: string, path: string[], tag: CatalogTag, wanted: boolean | undefined): string {
  if (wanted === undefined) return text;
  const key = [...path, 'insecure'];
  if (tag.source.transport === 'registry') return tag.spec.insecure === wanted ? text : setYamlValue(text, key, wanted);
  if (wanted) {
    throw new UsageError(`--insecure does not apply to ${tag.spec.from}: an image layout on disk has no TLS to skip`);
  }
  return hasYamlKey(text, key) ? deleteYamlKey(text, key) : text;
}

/** A tag given an image layout source loses its `insecure` key, which a layout on disk cannot have. */
function dropInsecureForLayout(text: string, path: string[], from: string): string {
  const key = [...path, 'insecure'];
  return from.startsWith('oci:') && hasYamlKey(text, key) ? deleteYamlKey(text, key) : text;
}

function setPreferPlatform(text: string, path: string[], spec: TagSpec, wanted: string | null | undefined): string {
  if (wanted === undefined) return text;
  const key = [...path, 'preferPlatform'];
  if (wanted === null) return spec.preferPlatform !== null && hasYamlKey(text, key) ? deleteYamlKey(text, key) : text;
  return spec.preferPlatform === normalizePreference(wanted) ? text : setYamlValue(text, key, wanted);
}

export function result(source: CatalogText, after: string): CatalogEdit {
  return { before: source.text, after, catalog: validated(source, after), changed: after !== source.text };
}

/** The catalog the text makes; problems found only after an edit say so. */
export function validated(source: CatalogText, text: string): Catalog {
  const options = {
    displayPath: source.displayPath,
    ...(source.statePathOverride !== undefined && { statePathOverride: source.statePathOverride }),
    ...(source.allowedPaths !== undefined && { allowedPaths: source.allowedPaths }),
  };
  try {
    return parseCatalog(text, source.path, options);
  } catch (error) {
    if (!(error instanceof CatalogError) || text === source.text) throw error;
    throw new CatalogError(
      error.problems.map((p) => ({ ...p, message: `${p.message} (after the edit; the catalog was not changed)` })),
    );
  }
}
