import { PassThrough } from 'node:stream';
import { type Command, CommanderError } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { memoryIo } from './memory-io.js';

export interface Parsed {
  command: string;
  /** The command's arguments, as its action receives them. */
  args: unknown[];
  options: Record<string, unknown>;
  /** The global options. */
  globals: Record<string, unknown>;
}

/**
 * Parses `args` with the CLI's own command tree, every action replaced by one that only records what was parsed:
 * nothing runs. Throws what the CLI would print for a usage error (unknown command or option, bad value).
 */
export function parseWithCli(args: string[]): Parsed {
  const stderr = new PassThrough();
  let errors = '';
  stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const program = buildProgram(memoryIo({ stderr }), () => {});
  let parsed: Parsed | undefined;
  for (const command of program.commands) {
    command.action(function (this: Command) {
      parsed = { command: this.name(), args: this.processedArgs, options: this.opts(), globals: program.opts() };
    });
  }
  try {
    program.parse(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) throw new Error(`${error.code}: ${errors.trim() || error.message}`);
    throw error;
  }
  if (!parsed) throw new Error(`no command ran for ${JSON.stringify(args)}`);
  return parsed;
}
