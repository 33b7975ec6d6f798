import type { Command, Option } from 'commander';

/** What a word after an option may be: nothing, a file, a directory, one of some words, or anything. */
export type ValueKind = 'none' | 'file' | 'directory' | 'words' | 'any';

export interface CompletedOption {
  /** `-f`, `--file`. */
  names: string[];
  description: string;
  value: ValueKind;
  words: string[];
}

export interface CompletedCommand {
  name: string;
  description: string;
  options: CompletedOption[];
  /** Words its arguments may be (another command's name for `help`, a shell for `completion`). */
  argumentWords: string[];
}

/** The command tree as completion scripts need it, read from the program itself so that they never drift. */
export interface CompletionModel {
  program: string;
  globalOptions: CompletedOption[];
  commands: CompletedCommand[];
}

/** Values of options that take one of a few words but check them only when the command runs. */
const KNOWN_WORDS: Record<string, string[]> = {
  '--format': ['text', 'json', 'markdown'],
  '--import-mode': ['Legacy', 'PreserveOriginal'],
  '--reference-policy': ['source', 'local'],
};

const FILE_VALUES = new Set(['file', 'catalog', 'path', 'planfile']);

export function completionModel(program: Command): CompletionModel {
  const help = program.createHelp();
  const commands = help.visibleCommands(program);
  const globalOptions = help.visibleOptions(program).map(completedOption);
  const sharedGlobals = help
    .visibleGlobalOptions(commands[0] ?? program)
    .filter((option) => option.long !== '--version')
    .map(completedOption);
  return {
    program: program.name(),
    globalOptions,
    commands: commands.map((command) => ({
      name: command.name(),
      description: command.description(),
      options: [...help.visibleOptions(command).map(completedOption), ...sharedGlobals],
      argumentWords:
        command.name() === 'help'
          ? commands.map((c) => c.name()).filter((name) => name !== 'help')
          : command.registeredArguments.flatMap((argument) => argument.argChoices ?? []),
    })),
  };
}

function completedOption(option: Option): CompletedOption {
  const names = [option.short, option.long].filter((name): name is string => name !== undefined);
  const words = option.argChoices ?? KNOWN_WORDS[option.long ?? ''] ?? [];
  return { names, description: option.description, value: valueKind(option, words), words };
}

function valueKind(option: Option, words: string[]): ValueKind {
  if (!option.required) return 'none';
  if (words.length > 0) return 'words';
  const placeholder = /<([\w-]+)>/.exec(option.flags)?.[1] ?? '';
  if (placeholder === 'dir') return 'directory';
  return FILE_VALUES.has(placeholder) ? 'file' : 'any';
}
