import type { Command } from 'commander';
import type { Io } from './output.js';

type WithGlobals = <T extends object>(options: T) => T & { allowPath: string[] };

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
}
