import type { DestinationAccess, ImageDestination } from '../../registry/destination.js';
import type { LocalStore } from '../local-store.js';

/**
 * Gets the destinations of `streams` in the local store ready (see ImageDestination.prepareFor), all at once: their
 * tokens are asked for together, in one request to the token server, rather than one per repository as the first
 * request to each comes up. Settles once all are, never failing.
 */
export async function prepareDestinations(
  store: LocalStore,
  streams: Iterable<string>,
  access: DestinationAccess,
): Promise<void> {
  const destinations = new Set<ImageDestination>();
  for (const stream of streams) {
    try {
      destinations.add(store.open(stream));
    } catch {
      // the copy into that stream meets the error again and reports it
    }
  }
  const ignoreFailure = () => undefined;
  await Promise.all([...destinations].map((destination) => destination.prepareFor?.(access).catch(ignoreFailure)));
}
