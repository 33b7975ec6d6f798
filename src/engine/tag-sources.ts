import type { CatalogTag } from '../core/catalog.js';
import type { ImageRepository } from '../registry/repository.js';
import { CachingRepository } from './mirror-source.js';

/**
 * Opens each tag's source once, keeping the manifests and image configs read from it: the images a saved plan is
 * proven with are not fetched a second time by the imports that follow.
 */
export function sourcesReadOnce(openTag: (tag: CatalogTag) => ImageRepository): (tag: CatalogTag) => ImageRepository {
  const opened = new Map<string, ImageRepository>();
  return (tag) => {
    let repo = opened.get(tag.address);
    if (!repo) {
      repo = new CachingRepository(openTag(tag));
      opened.set(tag.address, repo);
    }
    return repo;
  };
}
