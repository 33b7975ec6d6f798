import { resolve } from 'node:path';
import type { Catalog } from '../core/catalog.js';
import { pathInCatalog } from './catalog-paths.js';
import { isRawMap, mapAt, type RawMap, stringAt } from './raw-values.js';
import type { ResolveContext } from './resolve-context.js';
import { resolveDefaults } from './resolve-defaults.js';
import { resolveDiscoveries } from './resolve-discover.js';
import { resolveLocal } from './resolve-local.js';
import { resolveRegistries } from './resolve-registries.js';
import { resolveStreams } from './resolve-streams.js';
import { resolveTags } from './resolve-tags.js';

export const DEFAULT_STATE_FILE = 'imagestreams.state.json';

/** Facts about the catalog file itself, known before its contents are read. */
export interface CatalogFile {
  path: string;
  displayPath: string;
  sha256: string;
  /** `--state`, where it really is: the user's own choice, allowed anywhere. */
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
  if (stringAt(mapAt(raw, 'defaults'), 'referencePolicy') === 'Local' && local.problem) {
    context.problems.add('/defaults/referencePolicy', local.problem);
  }
  const env = { defaults, registries, localProblem: local.problem };
  const { tags, references } = resolveTags(mapAt(raw, 'streams'), env, context);
  const discoveries = resolveDiscoveries(mapAt(raw, 'streams'), env, context);
  const catalog: Catalog = {
    path: file.path,
    displayPath: file.displayPath,
    sha256: file.sha256,
    statePath: file.statePathOverride ?? catalogStatePath(raw, context),
    defaults,
    registries,
    tags,
    streams: resolveStreams(mapAt(raw, 'streams'), context),
  };
  if (local.target) catalog.local = local.target;
  if (references.length > 0) catalog.references = references;
  if (discoveries.length > 0) catalog.discoveries = discoveries;
  return catalog;
}

/**
 * The catalog's state file, where it really is (a link to it is only another name for it: the lock, journal and
 * backup are kept beside the file itself). It must lie inside an allowed directory, even when not written.
 */
function catalogStatePath(raw: RawMap | undefined, context: ResolveContext): string {
  const written = stringAt(raw, 'state');
  const path = resolve(context.dir, written || DEFAULT_STATE_FILE);
  const real = written
    ? pathInCatalog(path, '/state', context)
    : pathInCatalog(path, '', context, `the state file (by default ${DEFAULT_STATE_FILE})`);
  return real ?? path;
}
