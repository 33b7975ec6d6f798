import { UsageError } from '../../core/errors.js';
import { parseStreamTarget, readStream, requireTag } from '../../operations/reads.js';
import { renderHistoryText } from '../../render/history-text.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';

export interface HistoryOptions extends CatalogPathOptions {
  json?: boolean;
  /** Accepted for compatibility: attestations are always listed, marked. */
  showAttestations?: boolean;
}

/** `history STREAM:TAG`: the images the tag was imported as, newest first. */
export async function historyCommand(target: string, options: HistoryOptions, io: Io): Promise<number> {
  const { stream, tag } = parseStreamTarget(target);
  if (tag === undefined) throw new UsageError(`"${target}" must be STREAM:TAG`);
  const catalogPath = catalogFileOf(options, io).path;
  const found = requireTag(await readStream(catalogPath, catalogLoadOptions(options, io), stream), tag);
  if (options.json) {
    writeJson(io.stdout, {
      address: found.address,
      spec: found.spec,
      items: found.items,
      conditions: found.conditions,
    });
  } else {
    io.stdout.write(renderHistoryText(found, { now: new Date() }));
  }
  return EXIT_OK;
}
