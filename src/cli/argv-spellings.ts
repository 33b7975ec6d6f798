import type { Command, Option } from 'commander';
import { clipped } from '../core/echoed-text.js';
import { booleanValue } from './option-values.js';

/**
 * The two spellings commander cannot read, rewritten into ones it reads, for one command's own options:
 *
 * - A long option with one dash, as Terraform and Go programs write them (`-out=FILE`, `-auto-approve`,
 *   `-lock-timeout 30s`): commander takes a word after one dash as short flags (`-out` = `-o ut`), since a short flag
 *   is one character. A word after one dash that is the name of a long option of the command is that long option;
 *   anything else is left to commander's short flags, so `-f FILE`, `-fFILE` and `-d` keep their meaning.
 * - A value on a boolean flag (`--scheduled=false`, `--auto-approve=true`): commander accepts `=VALUE` only on an
 *   option that takes a value, and such an option, given alone, would take the next argument as its value
 *   (`tag --scheduled SOURCE DEST` would read SOURCE as the boolean). The flag stays a plain boolean and
 *   `=true`/`=1` is written as the flag, `=false`/`=0` as its `--no-` form, or as nothing when it has none.
 *
 * Arguments after `--`, and the value of an option that takes one, are left as they are.
 */
export function commanderSpellings(command: Command, args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const { spelled, takesNext } = respell(command, arg);
    out.push(...spelled);
    if (takesNext && i + 1 < args.length) out.push(args[++i]!);
  }
  return out;
}

interface Respelled {
  spelled: string[];
  /** The option takes a value and the next argument is it. */
  takesNext: boolean;
}

const asIs = (arg: string, option?: Option): Respelled => ({ spelled: [arg], takesNext: Boolean(option?.required) });

function respell(command: Command, arg: string): Respelled {
  const match = /^(--?)([^-=][^=]*)(=.*)?$/s.exec(arg);
  if (!match) return asIs(arg);
  const [, dashes, name, assigned] = match as unknown as [string, string, string, string | undefined];
  if (dashes === '-' && name.length === 1) return asIs(arg, assigned ? undefined : findOption(command, arg));
  const long = `--${name}`;
  const option = findOption(command, long);
  if (!option) return asIs(arg);
  if (assigned === undefined) return asIs(long, option);
  if (option.required || option.optional) return asIs(`${long}${assigned}`);
  return { spelled: booleanSpelling(command, option, assigned.slice(1)), takesNext: false };
}

/** A command's option by its flag; `--help` stands for the help option commander adds to every command. */
function findOption(command: Command, flag: string): Option | undefined {
  if (flag === '--help') return { long: flag, required: false, optional: false, negate: false } as Option;
  return command.options.find((o) => o.long === flag || o.short === flag);
}

/** `--flag=VALUE` of a boolean flag as the flag, its `--no-` form or nothing. */
function booleanSpelling(command: Command, option: Option, value: string): string[] {
  const on = booleanValue(value);
  if (on === undefined) {
    command.error(`error: option '${option.long}' argument '${clipped(value)}' is invalid. expected true or false`, {
      code: 'commander.invalidArgument',
    });
  }
  const base = option.long!.replace(/^--(no-)?/, '');
  const wanted = on !== option.negate ? `--${base}` : `--no-${base}`;
  return findOption(command, wanted) ? [wanted] : [];
}
