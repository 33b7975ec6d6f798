import { forceUnlock } from '../../state/index.js';
import type { CatalogPathOptions } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';
import { statePath } from './show.js';

/** `force-unlock ID`: removes a stale lock, only when ID is the lock's. */
export async function forceUnlockCommand(id: string, options: CatalogPathOptions, io: Io): Promise<number> {
  const info = await forceUnlock(await statePath(options, io), id);
  io.stdout.write(`Lock ${info.id} (${info.operation} by ${info.who}) removed. The state is unlocked.\n`);
  return EXIT_OK;
}
