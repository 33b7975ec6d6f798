import type { TagLister } from '../core/discovery.js';
import { RegistryError } from '../core/errors.js';
import type { ImageSourceReference } from '../core/reference.js';
import type { OpenOptions, Repositories } from './repositories.js';

/**
 * Lists the tags of sources opened through `repositories`, page by page: a registry repository's tag list (Link
 * pagination followed) or the tags an image layout's index.json names. `options` apply to every source opened.
 */
export function tagLister(repositories: Repositories, options: OpenOptions = {}): TagLister {
  return (source) => listSourceTags(repositories, source, options);
}

/** The tags of one source, page by page; the first page is asked for when the first is taken. */
export async function* listSourceTags(
  repositories: Repositories,
  source: ImageSourceReference,
  options: OpenOptions = {},
): AsyncGenerator<readonly string[]> {
  const repository = repositories.open(source, options);
  if (!repository.listTags) throw new RegistryError('InternalError', `${repository.name} cannot list its tags`);
  yield* repository.listTags();
}
