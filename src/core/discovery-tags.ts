import type { CatalogDefaults, CatalogTag } from './catalog.js';
import type { StreamDiscovery } from './discovery.js';
import type { ImageSourceReference } from './reference.js';

/**
 * A tag a discovery keeps, as a tag of the catalog: the tag a user would have written out with the discovery's
 * settings, `from` being the repository with the tag (`docker.io/library/postgres:16.2`). It is located at `discover`.
 */
export function discoveredCatalogTag(
  discovery: StreamDiscovery,
  tag: string,
  defaults: Pick<CatalogDefaults, 'preferPlatform'>,
): CatalogTag {
  return {
    address: `${discovery.stream}:${tag}`,
    stream: discovery.stream,
    tag,
    spec: {
      from: `${discovery.from}:${tag}`,
      importMode: discovery.importMode,
      referencePolicy: discovery.referencePolicy,
      scheduled: discovery.scheduled,
      insecure: discovery.insecure,
      preferPlatform: discovery.preferPlatform,
    },
    source: taggedSource(discovery.source, tag),
    defaultPlatform: defaults.preferPlatform,
    scheduleIntervalMs: discovery.scheduleIntervalMs,
    annotations: {},
    location: discovery.location,
  };
}

function taggedSource(source: ImageSourceReference, tag: string): ImageSourceReference {
  return source.transport === 'layout'
    ? { transport: 'layout', ref: { path: source.ref.path, tag } }
    : { transport: 'registry', ref: { registry: source.ref.registry, repository: source.ref.repository, tag } };
}
