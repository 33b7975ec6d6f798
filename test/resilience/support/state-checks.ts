import { existsSync, readFileSync } from 'node:fs';
import type { State, TagState } from '../../../src/core/state-model.js';
import type { Workspace } from '../../helpers/workspace.js';
import { runCliMeasured } from './cli-process.js';

/** The state as the next command sees it: `show --json`, which replays a journal left by a killed process. */
export async function replayedState(workspace: Workspace): Promise<State> {
  const shown = await runCliMeasured(['show', '--json'], workspace.dir);
  if (shown.code !== 0) throw new Error(`show --json exited ${shown.code}:\n${shown.stderr}`);
  return JSON.parse(shown.stdout) as State;
}

export function tagsOf(state: State): Map<string, TagState> {
  const tags = new Map<string, TagState>();
  for (const [stream, { tags: streamTags }] of Object.entries(state.streams)) {
    for (const [tag, value] of Object.entries(streamTags)) tags.set(`${stream}:${tag}`, value);
  }
  return tags;
}

/** Parses `path` as JSON when it exists (a state file or its backup must always parse); throws otherwise. */
export function parseIfPresent(path: string): unknown {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} does not parse after a kill: ${(error as Error).message}\n${text.slice(0, 500)}`);
  }
}

/** Tags whose item list differs from the expected digests (newest first), and tags the state should not hold. */
export function settledMismatches(state: State, expected: ReadonlyMap<string, readonly string[]>): string[] {
  const tags = tagsOf(state);
  const problems: string[] = [];
  for (const [address, digests] of expected) {
    const found = tags.get(address)?.items.map((item) => item.digest) ?? [];
    if (found.join(',') !== digests.join(',')) problems.push(`${address}: items ${found} instead of ${digests}`);
    const conditions = tags.get(address)?.conditions ?? [];
    if (conditions.length > 0) problems.push(`${address}: conditions ${JSON.stringify(conditions)}`);
  }
  for (const address of tags.keys())
    if (!expected.has(address)) problems.push(`${address}: should not be in the state`);
  return problems;
}

/** Tags holding the same digest in more than one item. */
export function duplicatedItems(state: State): string[] {
  return [...tagsOf(state)]
    .filter(([, value]) => new Set(value.items.map((item) => item.digest)).size !== value.items.length)
    .map(([address]) => address);
}
