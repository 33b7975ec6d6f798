import type { Command } from 'commander';
import { parseLockTimeout } from './option-values.js';
import type { Io } from './output.js';

type WithGlobals = <T extends object>(options: T) => T & { allowPath?: string[] };

/** `export` and `adopt`: the catalog to and from OpenShift ImageStream manifests. */
export function registerOpenshiftCommands(
  program: Command,
  io: Io,
  setExitCode: (code: number) => void,
  withGlobals: WithGlobals,
): void {
  program
    .command('export')
    .description('the catalog as image.openshift.io/v1 ImageStream manifests, for oc apply, Argo CD or Flux')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--namespace <namespace>', 'metadata.namespace of every ImageStream')
    .option('-o, --output <path>', 'write to this file (or, with --split, into this directory) instead of stdout')
    .option('--split', 'one file a stream plus a kustomization.yaml, in the -o directory')
    .option('--source-tags', 'export pinned tags by their source tag too, not by the digest the state recorded')
    .action(async (options) => {
      const { exportCommand } = await import('./commands/export.js');
      setExitCode(await exportCommand(withGlobals(options), io));
    });

  program
    .command('adopt')
    .description('ImageStreams from `oc get is -o yaml|json` into the catalog, and their history into the state')
    .argument('<file>', 'the oc output, or - for stdin')
    .option('-f, --file <catalog>', 'catalog file (created when missing)', 'imagestreams.yaml')
    .option('--state <path>', 'state file (default: from the catalog)')
    .option('--authfile <file>', 'registry credentials file (auth.json / config.json format)')
    .option('--replace', 'replace streams the catalog already has')
    .option('--lock-timeout <duration>', 'wait this long for the state lock (e.g. 30s)', parseLockTimeout, 0)
    .action(async (input: string, options) => {
      const { adoptCommand } = await import('./commands/adopt.js');
      setExitCode(await adoptCommand(input, withGlobals(options), io));
    });
}
