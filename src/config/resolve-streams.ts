import type { CatalogStream } from '../core/catalog.js';
import { UPDATE_POLICIES } from '../core/update-policy.js';
import { childPointer } from './json-pointer.js';
import { warnRefusedMetadata } from './metadata-warnings.js';
import { booleanAt, enumAt, mapAt, mapEntries, type RawMap, stringEntries } from './raw-values.js';
import type { ResolveContext } from './resolve-context.js';

/** Every stream of the catalog, in catalog order, with its labels, annotations and lookup policy. */
export function resolveStreams(streams: RawMap | undefined, context: ResolveContext): CatalogStream[] {
  const { problems } = context;
  return mapEntries(streams, '/streams', problems.source).map(([name, raw]) => {
    const pointer = childPointer('/streams', name);
    const stream: CatalogStream = {
      name,
      labels: stringEntries(mapAt(raw, 'labels')),
      annotations: stringEntries(mapAt(raw, 'annotations')),
      location: problems.locationOf(pointer),
    };
    warnRefusedMetadata(stream, pointer, problems);
    const lookupLocal = booleanAt(mapAt(raw, 'lookupPolicy'), 'local');
    if (lookupLocal !== undefined) stream.lookupLocal = lookupLocal;
    const updatePolicy = enumAt(mapAt(raw, 'update'), 'policy', UPDATE_POLICIES);
    if (updatePolicy) stream.updatePolicy = updatePolicy;
    return stream;
  });
}
