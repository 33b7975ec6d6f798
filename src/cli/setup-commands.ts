import { Argument, type Command, Option } from 'commander';
import type { CiProvider } from '../operations/init.js';
import { SHELLS } from './completion/shells.js';
import type { Io } from './output.js';

const CI_SYSTEMS: CiProvider[] = ['github', 'gitlab'];

/** `init`: a new catalog and the files beside it. */
export function addInitCommand(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('init')
    .description('create a catalog with the schema modeline, a .gitignore and a CI recipe; replaces no file')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .addOption(
      new Option('--ci <system>', "also write that CI system's plan/apply recipe beside the catalog").choices(
        CI_SYSTEMS,
      ),
    )
    .option('--schema <location>', "the schema the catalog's modeline names (default: the installed one)")
    .action(async (options) => {
      const { initCommand } = await import('./commands/init.js');
      setExitCode(await initCommand(options, io));
    });
}

/** `completion SHELL`: scripts generated from the program's own commands and options. */
export function addCompletionCommand(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .action(async (shell: (typeof SHELLS)[number]) => {
      const { completionCommand } = await import('./commands/completion.js');
      setExitCode(completionCommand(shell, program, io));
    });
}
