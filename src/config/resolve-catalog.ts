import { resolve } from 'node:path';
import type { Catalog } from '../core/catalog.js';
import { isRawMap, mapAt, stringAt } from './raw-values.js';
import type { ResolveContext } from './resolve-context.js';
import { resolveDefaults } from './resolve-defaults.js';
import { resolveLocal } from './resolve-local.js';
import { resolveRegistries } from './resolve-registries.js';
import { LOCAL_WITHOUT_TARGET, resolveTags } from './resolve-tags.js';

export const DEFAULT_STATE_FILE = 'imagestreams.state.json';

/** Facts about the catalog file itself, known before its contents are read. */
export interface CatalogFile {
  path: string;
  displayPath: string;
  sha256: string;
  statePathOverride?: string;
}

/**
 * The semantic checks and the resolution of the catalog's values into the model: defaults applied, paths made
 * absolute, sources and platforms parsed. Problems go to `context.problems`; the result is only meaningful when
 * none were found.
 */
export function resolveCatalog(value: unknown, file: CatalogFile, context: ResolveContext): Catalog {
  const raw = isRawMap(value) ? value : undefined;
  const defaults = resolveDefaults(mapAt(raw, 'defaults'), context.problems);
  const registries = resolveRegistries(mapAt(raw, 'registries'), context);
  const local = resolveLocal(mapAt(raw, 'local'), context);
  if (stringAt(mapAt(raw, 'defaults'), 'referencePolicy') === 'Local' && !local) {
    context.problems.add('/defaults/referencePolicy', LOCAL_WITHOUT_TARGET);
  }
  const tags = resolveTags(mapAt(raw, 'streams'), { defaults, registries, local }, context);
  const state = stringAt(raw, 'state');
  const catalog: Catalog = {
    path: file.path,
    displayPath: file.displayPath,
    sha256: file.sha256,
    statePath: file.statePathOverride ?? resolve(context.dir, state || DEFAULT_STATE_FILE),
    defaults,
    registries,
    tags,
  };
  if (local) catalog.local = local;
  return catalog;
}
