import { Command, Help, Option, type ParseOptionsResult } from 'commander';
import { commanderSpellings } from './argv-spellings.js';

/** Switches made with `CliCommand.switch`, whose help says they take `=false`. */
const switches = new WeakSet<Option>();

/**
 * A commander command that also reads Terraform's and oc's spellings of its options (see argv-spellings): each
 * command rewrites its own arguments before commander parses them, so it knows its options and their values.
 */
export class CliCommand extends Command {
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  override createHelp(): Help {
    return Object.assign(new CliHelp(), this.configureHelp());
  }

  override parseOptions(argv: string[]): ParseOptionsResult {
    return super.parseOptions(commanderSpellings(this, argv));
  }

  /**
   * A boolean flag that `--flag=false` (or `--no-flag`) turns off, as oc's and Terraform's do: unlike a plain flag,
   * off is not the same as left out (left out, the option is `defaultValue`, undefined when there is none).
   */
  switch(flag: `--${string}`, description: string, defaultValue?: boolean): this {
    const on = new Option(flag, description);
    if (defaultValue !== undefined) on.default(defaultValue);
    switches.add(on);
    return this.addOption(on).addOption(new Option(`--no-${flag.slice(2)}`).hideHelp());
  }
}

/** Help that names a switch `--flag[=bool]`. */
class CliHelp extends Help {
  override optionTerm(option: Option): string {
    return switches.has(option) ? `${option.flags}[=bool]` : super.optionTerm(option);
  }
}
