import { resolve } from 'node:path';
import type { LocalTarget } from '../core/catalog.js';
import { quoted } from '../core/echoed-text.js';
import { registryKeyProblem } from '../core/registry-key.js';
import { pathInCatalog } from './catalog-paths.js';
import { defaultLocalStore, type LocalResolution } from './default-store.js';
import { type RawMap, stringAt } from './raw-values.js';
import type { ResolveContext } from './resolve-context.js';

/**
 * `local`: a registry namespace to mirror into, or a layout directory made absolute; without the section, the
 * default store beside the catalog. Problems with the section itself go to `context.problems`; the default store's,
 * which matter only to a `Local` tag, are returned.
 */
export function resolveLocal(raw: RawMap | undefined, context: ResolveContext): LocalResolution {
  if (!raw) return defaultLocalStore(context.dir);
  const local: LocalTarget = {};
  const registry = stringAt(raw, 'registry');
  const layout = stringAt(raw, 'layout');
  if (registry !== undefined) {
    const problem = localRegistryProblem(registry);
    if (problem && !context.problems.has('/local/registry')) context.problems.add('/local/registry', problem);
    local.registry = registry;
  }
  if (layout !== undefined && layout !== '') {
    const path = resolve(context.dir, layout);
    if (pathInCatalog(path, '/local/layout', context) !== undefined) local.layout = path;
  }
  return { target: local };
}

/** `local.registry` must be `host[:port]/namespace`, with a host that cannot be taken for a Docker Hub namespace. */
function localRegistryProblem(text: string): string | undefined {
  const expected = 'expected host[:port]/namespace, such as registry.example.com:5000/mirror';
  const problem = registryKeyProblem(text);
  if (problem) return `invalid local.registry ${quoted(text)}: ${problem}; ${expected}`;
  const slash = text.indexOf('/');
  if (slash < 0) return `local.registry ${quoted(text)} has no namespace: ${expected}`;
  const host = text.slice(0, slash);
  if (!/[.:[]/.test(host) && host !== 'localhost') {
    return `local.registry ${quoted(text)} does not start with a registry host (one with a "." or ":", or localhost): ${expected}`;
  }
  return undefined;
}
