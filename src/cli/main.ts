#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { type Command, CommanderError, Option } from 'commander';
import { quietOnBrokenPipe } from './broken-pipe.js';
import { CliCommand } from './cli-command.js';
import { EXIT_ERROR, EXIT_OK, reportError } from './exit.js';
import { addHelpExamples } from './help-examples.js';
import { registerOpenshiftCommands } from './openshift-commands.js';
import { collect, parseCount, parseLockTimeout, parsePositiveInt } from './option-values.js';
import type { Io } from './output.js';
import { addCompletionCommand, addInitCommand } from './setup-commands.js';
import { StderrRoute } from './stderr-route.js';
import { withUpdateOptions } from './update-command.js';
import { packageVersion } from './version.js';

/** Accepted as before, no longer in the help: attestation manifests are always listed, marked. */
const ACCEPTED_SHOW_ATTESTATIONS = () => new Option('--show-attestations').hideHelp();

/** Builds the command tree; each action loads its command module on demand to keep start-up fast. */
export function buildProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new CliCommand('imagestreams')
    .description('A version-controlled catalog of container images: plan and apply image stream imports.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .option(
      '--allow-path <dir>',
      "let the catalog's paths lead into this directory too (repeatable); by default they must stay in the catalog's own",
      collect,
    );
  addInitCommand(program, io, setExitCode);
  /** A command's options with the global ones it needs. */
  const withGlobals = <T extends object>(options: T): T & { allowPath?: string[] } => ({
    ...options,
    allowPath: program.opts<{ allowPath?: string[] }>().allowPath,
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
    .option(
      '--json',
      'print JSON, for an invalid or unreadable catalog too: {"valid", "errors", "warnings"} and, when valid, ' +
        '"discoveringStreams"; each error and warning is {"file", "line", "column", "message"}; exit 0 when ' +
        'valid, 1 when not (schemas/validate.schema.json)',
    )
    .action(async (options) => {
      const { validateCommand } = await import('./commands/validate.js');
      setExitCode(await validateCommand(withGlobals(options), io));
    });

  withPlanOptions(
    program
      .command('plan')
      .description('compare the catalog with the state and the registries, and show what apply would do')
      .option('--out <file>', 'save the plan for apply')
      .option('--format <format>', 'text, json or markdown', 'text')
      .addOption(new Option('--json', 'same as --format json').conflicts('format'))
      .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when none, 1 on error')
      .option('--scheduled-only', 'only the scheduled tags (those that follow their upstream)')
      .switch('--refresh', 'ask registries about tags that need no import (--refresh=false skips it)', true),
  ).action(async (options) => {
    const { planCommand } = await import('./commands/plan.js');
    setExitCode(await planCommand(withGlobals(options), io));
  });

  withPlanOptions(
    program
      .command('apply')
      .description('perform the imports of a fresh plan (after approval) or of a saved plan')
      .argument('[planfile]', 'a plan saved with plan --out')
      .option('--auto-approve', 'do not ask for approval')
      .option('--json', 'print the result as JSON; no progress output')
      .option('--lock-timeout <duration>', 'wait this long for the state lock (e.g. 30s)', parseLockTimeout, 0),
  ).action(async (planfile: string | undefined, options) => {
    const { applyCommand } = await import('./commands/apply.js');
    setExitCode(await applyCommand(planfile, withGlobals(options), io));
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
      setExitCode(await showCommand(address, withGlobals(options), io));
    });

  program
    .command('force-unlock')
    .description('remove a stale state lock left by a crashed process')
    .argument('<id>', 'the lock ID shown in the lock error')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .action(async (id: string, options) => {
      const { forceUnlockCommand } = await import('./commands/force-unlock.js');
      setExitCode(await forceUnlockCommand(id, withGlobals(options), io));
    });

  program
    .command('watch')
    .description('re-import scheduled tags whenever their upstream moves, as a long-running process')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--authfile <file>', 'registry credentials file (auth.json / config.json format)')
    .option('--interval <duration>', 'check every tag this often instead of its scheduleInterval (e.g. 15m)')
    .addOption(
      new Option('--once', 'check every scheduled tag once and exit: 0 when all succeeded, 1 otherwise').conflicts(
        'interval',
      ),
    )
    .option('--json', 'log NDJSON on stderr')
    .option('--metrics-addr <host:port>', 'serve Prometheus /metrics and /healthz there (e.g. 127.0.0.1:9090)')
    .option('--imports-per-minute <n>', 'start at most this many scheduled imports a minute (0: no limit)', '60')
    .option('--concurrency <n>', 'tags checked at once', parsePositiveInt, 4)
    .action(async (options) => {
      const { watchCommand } = await import('./commands/watch.js');
      setExitCode(await watchCommand(withGlobals(options), io));
    });

  program
    .command('import-image')
    .description(
      "import one tag (or, with --all, a repository's tags), as oc import-image: write the spec into the catalog, then import",
    )
    .argument('<stream>', 'STREAM[:TAG] (TAG defaults to latest)')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--authfile <file>', 'registry credentials file (auth.json / config.json format)')
    .option('--from <image>', 'the source: a registry reference or oci:PATH[:TAG|@DIGEST]')
    .switch('--confirm', 'allow creating the stream')
    .switch('--all', "import every tag of the --from repository, up to --max-tags (as oc: OpenShift's order)")
    .option('--max-tags <n>', "with --all: the most tags imported (default: 50, OpenShift's limit)", parsePositiveInt)
    .option('--import-mode <mode>', 'Legacy or PreserveOriginal (default: Legacy, as oc)')
    .switch('--scheduled', 're-import the tag whenever its source moves')
    .switch('--insecure', 'skip TLS verification and fall back to plain HTTP for this tag')
    .option('--reference-policy <policy>', 'source or local')
    .switch('--dry-run', 'show the catalog edit and what would be imported; write nothing')
    .option('--lock-timeout <duration>', 'wait this long for the state lock (e.g. 30s)', parseLockTimeout, 0)
    .addOption(ACCEPTED_SHOW_ATTESTATIONS())
    .action(async (stream: string, options) => {
      const { importImageCommand } = await import('./commands/import-image.js');
      setExitCode(await importImageCommand(stream, withGlobals(options), io));
    });

  program
    .command('tag')
    .description('set or delete tags in the catalog, as oc tag (nothing is imported)')
    .usage('[options] SOURCE STREAM:TAG [STREAM:TAG...] | -d STREAM:TAG [STREAM:TAG...]')
    .argument('<args...>', 'SOURCE (an image, or a STREAM:TAG or STREAM@sha256:… of the catalog) and the tags to set')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .switch('--alias', 'follow SOURCE, a tag of the same stream, instead of taking its image now')
    .switch('--scheduled', 're-import the tag whenever its source moves')
    .switch('--insecure', 'skip TLS verification and fall back to plain HTTP for this tag')
    .option('--reference-policy <policy>', 'source or local')
    .option('--import-mode <mode>', 'Legacy (the default, as oc) or PreserveOriginal')
    .option('-d, --delete', 'delete the given tags')
    .action(async (args: string[], options) => {
      const { tagCommand } = await import('./commands/tag.js');
      setExitCode(await tagCommand(args, withGlobals(options), io));
    });

  program
    .command('describe')
    .description('describe a stream or a tag, as oc describe is / istag')
    .argument('<target>', 'STREAM or STREAM:TAG')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--json', 'print JSON')
    .addOption(ACCEPTED_SHOW_ATTESTATIONS())
    .action(async (target: string, options) => {
      const { describeCommand } = await import('./commands/describe.js');
      setExitCode(await describeCommand(target, withGlobals(options), io));
    });

  program
    .command('history')
    .description("a tag's imported images, newest first")
    .argument('<address>', 'STREAM:TAG')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--json', 'print JSON')
    .addOption(ACCEPTED_SHOW_ATTESTATIONS())
    .action(async (address: string, options) => {
      const { historyCommand } = await import('./commands/history.js');
      setExitCode(await historyCommand(address, withGlobals(options), io));
    });

  program
    .command('prune')
    .description("trim each tag's history and delete the images nothing references from the local store")
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--authfile <file>', 'registry credentials file (auth.json / config.json format)')
    .option('--keep-tag-revisions <n>', 'items kept per tag, newest first (the current one always)', parseCount, 3)
    .option('--keep-younger-than <duration>', 'items younger than this are kept (e.g. 60m, 24h)', '60m')
    .option('--confirm', 'delete; without it, only show what would be deleted')
    .option('--json', 'print JSON')
    .option('--lock-timeout <duration>', 'wait this long for the state lock (e.g. 30s)', parseLockTimeout, 0)
    .option('--no-abbrev', 'show full digests')
    .action(async (options) => {
      const { pruneCommand } = await import('./commands/prune.js');
      setExitCode(await pruneCommand(withGlobals(options), io));
    });

  registerOpenshiftCommands(program, io, setExitCode, withGlobals);
  withUpdateOptions(program.command('update')).action(async (options) => {
    const { updateCommand } = await import('./commands/update.js');
    setExitCode(await updateCommand(withGlobals(options), io));
  });
  addCompletionCommand(program, io, setExitCode);
  addHelpExamples(program);
  return program;
}

/** Options shared by plan and apply. */
function withPlanOptions(command: Command): Command {
  return command
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--authfile <file>', 'registry credentials file (auth.json / config.json format)')
    .option('--target <address>', 'only this STREAM or STREAM:TAG (repeatable)', collect)
    .option('--reimport <address>', 're-import this STREAM or STREAM:TAG even if unchanged (repeatable)', collect)
    .option(
      '--concurrency <n>',
      "tags resolved or imported at once (default: 16, or the sum of the registries' maxConcurrency when more)",
      parsePositiveInt,
    )
    .option('--no-color', 'disable colour')
    .option('--no-abbrev', 'show full digests');
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
  // undici parses HTTP with WebAssembly. V8's baseline tier compiles it at once; optimising it as well costs a
  // command ~30 MB of memory and more CPU than it ever saves.
  setFlagsFromString('--liftoff-only');
  quietOnBrokenPipe(process.stdout, process.stderr);
  const io: Io = {
    stdout: process.stdout,
    stderr: new StderrRoute(process.stderr),
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
  run(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
