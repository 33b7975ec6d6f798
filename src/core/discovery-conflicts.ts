import { allCatalogTags, type Catalog } from './catalog.js';
import type { StreamDiscovery } from './discovery.js';
import { quoted } from './echoed-text.js';
import { CatalogError, type CatalogProblem } from './errors.js';

/**
 * A discovered tag may not have the name of a tag the stream writes out: one problem per such tag, located at the
 * written tag, saying where the stream's `discover` is.
 */
export function discoveredNameProblems(
  catalog: Pick<Catalog, 'tags' | 'references'>,
  discovery: StreamDiscovery,
  discovered: readonly string[],
): CatalogProblem[] {
  const names = new Set(discovered);
  return allCatalogTags(catalog)
    .filter((tag) => tag.stream === discovery.stream && names.has(tag.tag))
    .map((tag) => ({
      location: tag.location,
      message:
        `tag ${quoted(tag.tag)} of stream ${quoted(discovery.stream)} is also discovered from ` +
        `${discovery.from} (discover on line ${discovery.location.line}): remove one of them, or leave the tag out ` +
        'of discover with include or exclude',
    }));
}

/** The CatalogError of discoveredNameProblems, or undefined when there is none. */
export function discoveredNameError(
  catalog: Pick<Catalog, 'tags' | 'references'>,
  discovery: StreamDiscovery,
  discovered: readonly string[],
): CatalogError | undefined {
  const problems = discoveredNameProblems(catalog, discovery, discovered);
  return problems.length > 0 ? new CatalogError(problems) : undefined;
}
