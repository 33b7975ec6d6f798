import { forceUnlockOperation } from '../../operations/force-unlock.js';
import type { CatalogPathOptions } from '../catalog-options.js';
import { statePathOf } from '../context.js';
import { EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';

/** `force-unlock ID`: removes a stale lock, only when ID is the lock's. */
export async function forceUnlockCommand(id: string, options: CatalogPathOptions, io: Io): Promise<number> {
  const info = await forceUnlockOperation(await statePathOf(options, io), id);
  io.stdout.write(`Lock ${info.id} (${info.operation} by ${info.who}) removed. The state is unlocked.\n`);
  return EXIT_OK;
}
