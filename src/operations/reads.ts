import { type LoadCatalogOptions, loadCatalog } from '../config/index.js';
import { UsageError } from '../core/errors.js';
import type { State } from '../core/state-model.js';
import { type DescribedStream, type DescribedTag, describeStream } from '../render/describe-text.js';
import { StateStore } from '../state/index.js';

export type { DescribedStream, DescribedTag };

/** `STREAM` or `STREAM:TAG`. */
export function parseStreamTarget(target: string): { stream: string; tag?: string } {
  const colon = target.indexOf(':');
  if (colon < 0) return { stream: target };
  const stream = target.slice(0, colon);
  const tag = target.slice(colon + 1);
  if (stream === '' || tag === '') throw new UsageError(`"${target}" must be STREAM or STREAM:TAG`);
  return { stream, tag };
}

/** The stream from the catalog and the state; an error naming both when neither has it. */
export async function readStream(
  catalogPath: string,
  options: LoadCatalogOptions,
  stream: string,
): Promise<DescribedStream> {
  const catalog = await loadCatalog(catalogPath, options);
  const store = await StateStore.open(catalog.statePath);
  const described = describeStream(catalog, store.state, stream);
  if (!described) throw new UsageError(`image stream "${stream}" not found in ${catalog.displayPath} or its state`);
  return described;
}

export function requireTag(stream: DescribedStream, tag: string): DescribedTag {
  const found = stream.tags.find((t) => t.tag === tag);
  if (!found)
    throw new UsageError(`${stream.name}:${tag} not found: the image stream "${stream.name}" has no tag "${tag}"`);
  return found;
}

/** The state file as recorded. */
export async function readState(statePath: string): Promise<State> {
  return (await StateStore.open(statePath)).state;
}
