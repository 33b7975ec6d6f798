import { loadCatalog } from '../../config/index.js';
import { UsageError } from '../../core/errors.js';
import {
  type DescribedStream,
  type DescribedTag,
  describeStream,
  renderStreamDescription,
  renderTagDescription,
} from '../../render/describe-text.js';
import { StateStore } from '../../state/index.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';

export interface DescribeOptions extends CatalogPathOptions {
  json?: boolean;
  showAttestations?: boolean;
}

/** `describe STREAM[:TAG]`: a stream or a tag as the catalog declares it and the state recorded it. */
export async function describeCommand(target: string, options: DescribeOptions, io: Io): Promise<number> {
  const { stream, tag } = parseTarget(target);
  const described = await loadStream(stream, options, io);
  const textOptions = { now: new Date(), attestations: Boolean(options.showAttestations) };
  if (tag === undefined) {
    if (options.json) writeJson(io.stdout, described);
    else io.stdout.write(renderStreamDescription(described, textOptions));
    return EXIT_OK;
  }
  const found = requireTag(described, tag);
  if (options.json) writeJson(io.stdout, found);
  else io.stdout.write(renderTagDescription(found, textOptions));
  return EXIT_OK;
}

/** `STREAM` or `STREAM:TAG`. */
export function parseTarget(target: string): { stream: string; tag?: string } {
  const colon = target.indexOf(':');
  if (colon < 0) return { stream: target };
  const stream = target.slice(0, colon);
  const tag = target.slice(colon + 1);
  if (stream === '' || tag === '') throw new UsageError(`"${target}" must be STREAM or STREAM:TAG`);
  return { stream, tag };
}

/** The stream from the catalog and the state; an error naming both when neither has it. */
export async function loadStream(stream: string, options: CatalogPathOptions, io: Io): Promise<DescribedStream> {
  const catalog = await loadCatalog(catalogFileOf(options, io).path, catalogLoadOptions(options, io));
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
