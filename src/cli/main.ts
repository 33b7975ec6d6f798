#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { EXIT_ERROR, EXIT_OK, reportError } from './exit.js';
import type { Io } from './output.js';

/** Builds the command tree; each action loads its command module on demand to keep start-up fast. */
export function buildProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command('imagestreams')
    .description('A version-controlled catalog of container images: plan and apply image stream imports.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  program
    .command('inspect')
    .description('resolve an image reference: digest, media type and per-platform manifests')
    .argument('<image>', 'registry reference (e.g. quay.io/org/app:1.0) or oci:PATH[:TAG|@DIGEST]')
    .option('--json', 'print JSON')
    .option('--insecure', 'skip TLS verification and fall back to plain HTTP')
    .option('--ca-file <file>', 'extra CA bundle (PEM) to trust')
    .option('--authfile <file>', 'registry credentials file (auth.json / config.json format)')
    .option('--no-abbrev', 'show full digests in text output')
    .action(async (image: string, options) => {
      const { inspectCommand } = await import('./commands/inspect.js');
      setExitCode(await inspectCommand(image, options, io));
    });

  program
    .command('validate')
    .description('check the catalog against the schema and the semantic rules, offline')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .action(async (options) => {
      const { validateCommand } = await import('./commands/validate.js');
      setExitCode(await validateCommand(options, io));
    });

  withPlanOptions(
    program
      .command('plan')
      .description('compare the catalog with the state and the registries, and show what apply would do')
      .option('--out <file>', 'save the plan for apply')
      .option('--format <format>', 'text, json or markdown', 'text')
      .option('--json', 'same as --format json')
      .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when none, 1 on error')
      .option(
        '--refresh <bool>',
        'ask registries about tags that need no import (--refresh=false skips it)',
        parseBool,
        true,
      ),
  ).action(async (options) => {
    const { planCommand } = await import('./commands/plan.js');
    setExitCode(await planCommand(options, io));
  });

  withPlanOptions(
    program
      .command('apply')
      .description('perform the imports of a fresh plan (after approval) or of a saved plan')
      .argument('[planfile]', 'a plan saved with plan --out')
      .option('--auto-approve', 'do not ask for approval')
      .option('--json', 'print the result as JSON; no progress output')
      .option('--lock-timeout <duration>', 'wait this long for the state lock (e.g. 30s)', parseDurationOption, 0),
  ).action(async (planfile: string | undefined, options) => {
    const { applyCommand } = await import('./commands/apply.js');
    setExitCode(await applyCommand(planfile, options, io));
  });

  program
    .command('show')
    .description('show the state: every tag, one stream or one tag')
    .argument('[address]', 'STREAM or STREAM:TAG')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--json', 'print JSON')
    .option('--no-abbrev', 'show full digests')
    .action(async (address: string | undefined, options) => {
      const { showCommand } = await import('./commands/show.js');
      setExitCode(await showCommand(address, options, io));
    });

  program
    .command('force-unlock')
    .description('remove a stale state lock left by a crashed process')
    .argument('<id>', 'the lock ID shown in the lock error')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .action(async (id: string, options) => {
      const { forceUnlockCommand } = await import('./commands/force-unlock.js');
      setExitCode(await forceUnlockCommand(id, options, io));
    });

  return program;
}

export const VERSION = '0.1.0';

/** Options shared by plan and apply. */
function withPlanOptions(command: Command): Command {
  return command
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--authfile <file>', 'registry credentials file (auth.json / config.json format)')
    .option('--target <address>', 'only this STREAM or STREAM:TAG (repeatable)', collect, [])
    .option('--reimport <address>', 're-import this STREAM or STREAM:TAG even if unchanged (repeatable)', collect, [])
    .option('--concurrency <n>', 'tags resolved or imported at once', parsePositiveInt, 16)
    .option('--no-color', 'disable colour')
    .option('--no-abbrev', 'show full digests');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseBool(value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new InvalidArgumentError('expected true or false');
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function parseDurationOption(value: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected a duration such as 30s, 5m or 0');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's']!;
  return Number(match[1]) * unit;
}

export async function run(argv: string[], io: Io): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    return reportError(error, io.stderr, io.env);
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const io: Io = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
  run(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
