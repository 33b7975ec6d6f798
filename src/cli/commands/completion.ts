import type { Command } from 'commander';
import { completionScript, type Shell } from '../completion/index.js';
import { EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';

/** `completion SHELL`: the completion script for the program as it is built now. */
export function completionCommand(shell: Shell, program: Command, io: Io): number {
  io.stdout.write(completionScript(shell, program));
  return EXIT_OK;
}
