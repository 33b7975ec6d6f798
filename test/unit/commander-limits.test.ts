import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';

/**
 * Why src/cli/argv-spellings.ts rewrites two spellings before commander parses: commander alone reads them otherwise.
 * Should a commander release read them as Terraform and oc do, these fail, and the rewrite can go.
 */
function parse(command: Command, args: string[]): { options: Record<string, unknown>; operands: string[] } {
  command.exitOverride().configureOutput({ writeErr: () => {} });
  command.parse(args, { from: 'user' });
  return { options: command.opts(), operands: command.args };
}

describe('commander on its own', () => {
  it('takes the next argument as the value of a flag with an optional value: tag --scheduled SOURCE DEST', () => {
    const tag = new Command().option('--scheduled [bool]').argument('<args...>');
    expect(parse(tag, ['--scheduled', 'quay.io/org/app:1', 'app:x'])).toEqual({
      options: { scheduled: 'quay.io/org/app:1' },
      operands: ['app:x'],
    });
  });

  it('refuses a value on a plain boolean flag: --scheduled=false', () => {
    const tag = new Command().option('--scheduled').option('--no-scheduled').argument('<args...>');
    expect(() => parse(tag, ['--scheduled=false', 'a', 'b:c'])).toThrow(CommanderError);
  });

  it('reads a long option written with one dash as short flags: -out=FILE is -o "ut=FILE"', () => {
    const plan = new Command().option('-o, --output <format>').option('--out <file>');
    expect(parse(plan, ['-out=plan.json']).options).toEqual({ output: 'ut=plan.json' });
    expect(() => parse(new Command().option('--out <file>'), ['-out=plan.json'])).toThrow(CommanderError);
  });
});
