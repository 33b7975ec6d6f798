import { parseStreamTarget, readStream, requireTag } from '../../operations/reads.js';
import { renderStreamDescription, renderTagDescription } from '../../render/describe-text.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';

export interface DescribeOptions extends CatalogPathOptions {
  json?: boolean;
  /** Accepted for compatibility: attestations are always listed, marked. */
  showAttestations?: boolean;
}

/** `describe STREAM[:TAG]`: a stream or a tag as the catalog declares it and the state recorded it. */
export async function describeCommand(target: string, options: DescribeOptions, io: Io): Promise<number> {
  const { stream, tag } = parseStreamTarget(target);
  const described = await readStream(catalogFileOf(options, io).path, catalogLoadOptions(options, io), stream);
  const textOptions = { now: new Date() };
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
