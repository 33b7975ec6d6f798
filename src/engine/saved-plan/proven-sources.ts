import type { CatalogTag } from '../../core/catalog.js';
import type { ImageRepository } from '../../registry/repository.js';
import { CachingRepository } from '../mirror/source.js';

/**
 * The tags' sources while a saved plan is proven and then applied: what proving reads of a tag's source (its
 * planned manifest, a single image's config) is kept for that tag's import, which then reads it again for free.
 * What is kept for a tag is forgotten once its import has taken it.
 */
export class ProvenSources {
  private readonly kept = new Map<string, CachingRepository>();

  constructor(private readonly open: (tag: CatalogTag) => ImageRepository) {}

  /** For proving: the tag's source, keeping what it reads. */
  readonly openTag = (tag: CatalogTag): ImageRepository => {
    let repo = this.kept.get(tag.address);
    if (!repo) {
      repo = new CachingRepository(this.open(tag));
      this.kept.set(tag.address, repo);
    }
    return repo;
  };

  /** For importing: the tag's source with what proving read of it, handed out once. */
  readonly take = (tag: CatalogTag): ImageRepository => {
    const repo = this.kept.get(tag.address);
    this.kept.delete(tag.address);
    return repo ?? this.open(tag);
  };
}
