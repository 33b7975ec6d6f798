import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { StateError } from '../core/errors.js';
import { STATE_VERSION, type State } from '../core/state-model.js';
import { isNotFound, writeFileAtomic } from '../files/atomic-file.js';
import { describeSystemError } from '../files/errno.js';
import { realPathOf } from '../files/real-path.js';
import { NotRegularFileError } from '../files/regular-file.js';
import { canonicalJsonChunks } from './canonical-json.js';
import { migrateState, type StateMigration } from './migrations.js';
import { formatProblems, stateProblems } from './state-schema.js';
import { readStateFile, type StateFileContent } from './state-text.js';

export interface ReadStateOptions {
  /** Replaces the built-in migration table (tests inject fake versions). */
  migrations?: ReadonlyMap<number, StateMigration>;
}

/** A new, empty state with its own lineage. */
export function emptyState(): State {
  return { version: STATE_VERSION, lineage: randomUUID(), serial: 0, streams: {} };
}

/** The state file's text: keys sorted at every level, 2-space indent, trailing newline. */
export function serializeState(state: State): string {
  return [...stateTextChunks(state)].join('');
}

/** The state file's text in pieces of about one tag each: a state of 10,000 tags is never one 20 MB string. */
function* stateTextChunks(state: State): Generator<string> {
  // state → streams → stream → tags → tag
  yield* canonicalJsonChunks(state, 2, 4);
  yield '\n';
}

/**
 * The state in `path`, migrated to the current version; null when there is no such file. The file is never
 * modified. Anything but a regular file there (a directory, a FIFO, a device) is refused without being read.
 */
export async function readState(path: string, options: ReadStateOptions = {}): Promise<State | null> {
  let content: StateFileContent;
  try {
    content = await readStateFile(path);
  } catch (error) {
    if (isNotFound(error)) return null;
    const why = error instanceof NotRegularFileError ? `it is ${error.kind}` : describeSystemError(error);
    throw new StateError(`cannot read state file ${path}: ${why}`, { cause: error });
  }
  try {
    return 'text' in content
      ? parseState(content.text, path, options)
      : stateOfDocument(content.document, path, options);
  } catch (error) {
    const backup = backupOf(path);
    if (error instanceof StateError && (await exists(backup))) {
      throw new StateError(`${error.message}\nThe previous state is in ${backup}.`, { cause: error.cause });
    }
    throw error;
  }
}

/** Parses, migrates and validates the text of a state file; `file` names it in errors. */
export function parseState(text: string, file: string, options: ReadStateOptions = {}): State {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new StateError(`state file ${file} is corrupt: ${describeJsonError(error, text)}`, { cause: error });
  }
  return stateOfDocument(document, file, options);
}

/** Migrates and validates the parsed JSON of a state file. */
function stateOfDocument(document: unknown, file: string, options: ReadStateOptions): State {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new StateError(`state file ${file} is not a valid imagestreams state: expected a JSON object`);
  }
  const migrated = migrateState(document as Record<string, unknown>, file, options.migrations);
  assertValidState(migrated, file);
  return migrated;
}

/** Throws a StateError listing what is wrong unless `value` has the shape of the state file format. */
export function assertValidState(value: unknown, file: string): asserts value is State {
  const problems = stateProblems(value);
  if (problems.length > 0) {
    throw new StateError(`state file ${file} is not a valid imagestreams state:\n${formatProblems(problems)}`);
  }
}

/**
 * Replaces the state file atomically, keeping the previous one as `<path>.backup`. A state that
 * would not read back is refused before anything is written. A link at `path` is written through: the file it
 * leads to is replaced, its `.backup` kept beside it. The caller holds the state lock: temp files beside the state
 * are those of a writer that was killed, and are removed.
 */
export async function writeState(path: string, state: State): Promise<void> {
  assertValidState(state, path);
  try {
    await writeFileAtomic(path, stateTextChunks(state), { backup: true, sweepLeftovers: true });
  } catch (error) {
    throw new StateError(`cannot write state file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * `Expected ',' or '}' after property value in JSON (line 3, column 5)`: JSON.parse's message with the position it
 * reports as a line and column. The text V8 quotes around an unexpected token is left out: an error never shows
 * what a file holds (a state file may have been replaced by any file).
 */
function describeJsonError(error: unknown, text: string): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^(Unexpected token)\b.*$/s, '$1');
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return message;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message.replace(/\s*at position \d+.*$/, '')} (line ${line}, column ${column})`;
}

/** The `.backup` a write of `path` keeps: beside the file itself when `path` is a link to it. */
function backupOf(path: string): string {
  try {
    return `${realPathOf(path)}.backup`;
  } catch {
    return `${path}.backup`;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
