import { type Command, InvalidArgumentError, Option } from 'commander';
import { durationMilliseconds } from '../config/duration.js';

/** A repeatable option's values, in the order given. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseBool(value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new InvalidArgumentError('expected true or false');
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/** `--lock-timeout`: milliseconds in a duration (`30s`, `5m`, `1h30m`, `500ms`); a bare number is seconds. */
export function parseLockTimeout(value: string): number {
  const milliseconds = durationMilliseconds(value, 'seconds');
  if (milliseconds === undefined || !Number.isSafeInteger(milliseconds)) {
    throw new InvalidArgumentError('expected a duration such as 30s, 5m or 0');
  }
  return milliseconds;
}

const pflagBooleans = new WeakSet<Option>();

/**
 * A boolean flag as oc (pflag) reads it: `--flag` alone is true and never takes the next argument as its value;
 * `--flag=false` turns it off. Parse the arguments with pflagBooleanArgs for the first half.
 */
export function pflagBoolean(flags: `--${string} [bool]`, description: string): Option {
  const option = new Option(flags, description).argParser(parseBool);
  pflagBooleans.add(option);
  return option;
}

/**
 * Commander's `--flag [bool]` would take the next argument as its value, so each pflagBoolean given alone (before
 * `--`) in the arguments of its subcommand is written `--flag=true`.
 */
export function pflagBooleanArgs(program: Command, args: string[]): string[] {
  const at = subcommandIndex(program, args);
  const command = at < 0 ? undefined : program.commands.find((c) => c.name() === args[at]);
  const flags = new Set(command?.options.filter((o) => pflagBooleans.has(o)).map((o) => o.long));
  const end = args.indexOf('--');
  return args.map((arg, i) => (i > at && (end < 0 || i < end) && flags.has(arg) ? `${arg}=true` : arg));
}

/** Where the subcommand's name is: the first argument that is neither an option of the program nor its value. */
function subcommandIndex(program: Command, args: string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--' || !arg.startsWith('-')) return arg === '--' ? -1 : i;
    const option = program.options.find((o) => o.long === arg || o.short === arg);
    if (option?.required) i++;
  }
  return -1;
}
