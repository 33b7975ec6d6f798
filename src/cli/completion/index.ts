import type { Command } from 'commander';
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import { completionModel } from './model.js';
import type { Shell } from './shells.js';
import { zshScript } from './zsh.js';

export { SHELLS, type Shell } from './shells.js';

const SCRIPTS: Record<Shell, typeof bashScript> = { bash: bashScript, zsh: zshScript, fish: fishScript };

/** The completion script of `shell` for the program's commands and options as they are now. */
export function completionScript(shell: Shell, program: Command): string {
  return SCRIPTS[shell](completionModel(program));
}
