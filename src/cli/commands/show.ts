import { loadCatalog } from '../../config/index.js';
import { UsageError } from '../../core/errors.js';
import { renderStateText, splitAddress, stateAddresses } from '../../render/state-text.js';
import { StateStore } from '../../state/index.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions, statePathOption } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';

export interface ShowOptions extends CatalogPathOptions {
  json?: boolean;
  abbrev?: boolean;
}

/** `show [ADDR]`: the state, whole or one stream or tag, as text or JSON. */
export async function showCommand(address: string | undefined, options: ShowOptions, io: Io): Promise<number> {
  const store = await StateStore.open(await statePath(options, io));
  const state = store.state;
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
    writeJson(io.stdout, { address, ...state.streams[stream]!.tags[tag]! });
  } else writeJson(io.stdout, { stream: address, ...state.streams[address]! });
  return EXIT_OK;
}

/** The state path: --state, else the catalog's `state:` setting. */
export async function statePath(options: CatalogPathOptions, io: Io): Promise<string> {
  if (options.state) return statePathOption(options.state, io);
  return (await loadCatalog(catalogFileOf(options, io).path, catalogLoadOptions(options, io))).statePath;
}
