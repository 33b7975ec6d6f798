import { type Command, Option } from 'commander';
import { DEFAULT_UPDATE_POLICY, UPDATE_POLICIES } from '../core/update-policy.js';
import { collect } from './option-values.js';

/** `update`'s description and options: pinned tags moved to what upstream offers, with a pull-request body. */
export function withUpdateOptions(command: Command): Command {
  return command
    .description('move pinned tags to the versions and digests upstream offers now; print a pull-request body')
    .option('-f, --file <catalog>', 'catalog file', 'imagestreams.yaml')
    .option('--authfile <file>', 'registry credentials file (auth.json / config.json format)')
    .addOption(
      new Option('--policy <policy>', "how far versions move where a stream sets no update.policy (the stream's wins)")
        .choices(UPDATE_POLICIES)
        .default(DEFAULT_UPDATE_POLICY),
    )
    .option('--target <address>', 'only this STREAM or STREAM:TAG (repeatable)', collect)
    .option('--dry-run', 'print the body and exit as usual, but leave the catalog as it is')
    .option('-o, --output <file>', 'write the pull-request body to this file instead of stdout');
}
