import { UsageError } from '../../core/errors.js';
import { recordedStream, recordedTag } from '../../core/state-lookup.js';
import { readState } from '../../operations/reads.js';
import { renderStateText, splitAddress, stateAddresses } from '../../render/state-text.js';
import type { CatalogPathOptions } from '../catalog-options.js';
import { statePathOf } from '../context.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';

export interface ShowOptions extends CatalogPathOptions {
  json?: boolean;
  abbrev?: boolean;
}

/** `show [ADDR]`: the state, whole or one stream or tag, as text or JSON. */
export async function showCommand(address: string | undefined, options: ShowOptions, io: Io): Promise<number> {
  const state = await readState(await statePathOf(options, io));
  const addresses = stateAddresses(state, address);
  if (address !== undefined && addresses.length === 0) {
    throw new UsageError(`${JSON.stringify(address)} is not in the state (use STREAM or STREAM:TAG)`);
  }
  if (!options.json) {
    io.stdout.write(renderStateText(state, addresses, { abbrev: options.abbrev !== false }));
    return EXIT_OK;
  }
  if (address === undefined) writeJson(io.stdout, state);
  else if (address.includes(':')) {
    const [stream, tag] = splitAddress(address);
    writeJson(io.stdout, { address, ...recordedTag(state, stream, tag)! });
  } else writeJson(io.stdout, { stream: address, ...recordedStream(state, address)! });
  return EXIT_OK;
}
