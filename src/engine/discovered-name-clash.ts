import type { StreamDiscovery } from '../core/discovery.js';
import { quoted } from '../core/echoed-text.js';
import { CatalogError } from '../core/errors.js';

/** A discovered tag may not have the name of a tag the catalog writes in the same stream. */
export function discoveredNameClash(discovery: StreamDiscovery, tag: string): Error {
  return new CatalogError([
    {
      location: discovery.location,
      message: `streams.${discovery.stream}.discover keeps the tag ${quoted(tag)} of ${discovery.from}, and the stream has a tag of that name; exclude it or rename the tag`,
    },
  ]);
}
