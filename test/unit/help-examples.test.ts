import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { imagestreamsCommands } from '../helpers/example-commands.js';
import { memoryIo } from '../helpers/memory-io.js';
import { parseWithCli } from '../helpers/parse-cli.js';

/** What `imagestreams [COMMAND] --help` prints. */
function helpOf(command?: string): string {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  try {
    buildProgram(memoryIo({ stdout }), () => {}).parse([...(command ? [command] : []), '--help'], { from: 'user' });
  } catch {
    // --help ends the parse with a CommanderError of exit code 0
  }
  return text;
}

/** The command lines of the help's Examples section (after `$ `), one per example. */
function examplesOf(help: string): string[] {
  const section = help.split('\nExamples:\n')[1] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('  $ '))
    .map((line) => line.slice(4));
}

const commandNames = buildProgram(memoryIo(), () => {}).commands.map((c) => c.name());

describe("every command's --help", () => {
  it('lists every command the program has', () => {
    expect(commandNames).toEqual(expect.arrayContaining(['init', 'plan', 'apply', 'completion', 'import-image']));
  });

  it.each(commandNames)('%s --help ends with examples of that command, each accepted by the CLI parser', (name) => {
    const examples = examplesOf(helpOf(name));
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const commands = imagestreamsCommands(example, `${name} --help`);
      expect(commands, example).toHaveLength(1);
      expect(parseWithCli(commands[0]!.args).command, example).toBe(name);
    }
  });

  it('the program --help has examples too, each a command the CLI parses', () => {
    const examples = examplesOf(helpOf());
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      for (const { args } of imagestreamsCommands(example, '--help')) expect(() => parseWithCli(args)).not.toThrow();
    }
  });

  it('shows each example under a comment saying what it does', () => {
    expect(helpOf('plan')).toContain('\n  # save it for apply\n  $ imagestreams plan --out imagestreams.plan\n');
  });
});
