import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { StateError } from '../core/errors.js';
import { recordedStream, recordedTag, setRecordedTag } from '../core/state-lookup.js';
import { STATE_VERSION, type State, type TagState } from '../core/state-model.js';
import { isNotFound } from '../files/atomic-file.js';
import { canonicalJson } from './canonical-json.js';
import { SharedStrings } from './shared-strings.js';
import { formatProblems, tagStateProblems } from './state-schema.js';

/** One change to the state, made durable by appending it to the journal before it is applied. */
export type JournalEntry =
  /** The whole state of a tag after an import or a failed one. */
  | { op: 'setTag'; stream: string; tag: string; value: TagState }
  /** The tag is forgotten (removed from the catalog). */
  | { op: 'deleteTag'; stream: string; tag: string };

/**
 * One line of the journal. `serial` is the serial of the state file the record applies on top of;
 * `sum` is the sha256 of the line's other fields in canonical JSON, so a torn or damaged line is detected.
 */
export interface JournalRecord {
  version: number;
  lineage: string;
  serial: number;
  entry: JournalEntry;
}

export interface JournalContents {
  records: JournalRecord[];
  /** A last line cut short by a crash, ignored. */
  tornTail: boolean;
}

export function journalPath(statePath: string): string {
  return `${statePath}.journal`;
}

/** `record` as one journal line, newline included. */
export function encodeJournalRecord(record: JournalRecord): string {
  const body = canonicalJson(record);
  return `${canonicalJson({ ...record, sum: checksum(body) })}\n`;
}

/** The records of the journal at `path`, null when there is none. Only the last line may be damaged. */
export async function readJournal(path: string): Promise<JournalContents | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return null;
    throw new StateError(`cannot read state journal ${path}: ${(error as Error).message}`, { cause: error });
  }
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const records = lines.map((line, index) => {
    const record = decodeJournalLine(line);
    if (typeof record === 'string') {
      throw new StateError(
        `state journal ${path} is damaged at line ${index + 1} (${record}); the state file itself is intact: ` +
          'move the journal away to continue without the imports it recorded',
      );
    }
    return record;
  });
  const tail = last === '' ? undefined : decodeJournalLine(last);
  if (tail !== undefined && typeof tail !== 'string') records.push(tail);
  return { records, tornTail: typeof tail === 'string' };
}

/** The record held by one line, or why the line is not a valid record. */
export function decodeJournalLine(line: string): JournalRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not a JSON object';
  const { sum, ...record } = parsed as Record<string, unknown>;
  if (sum !== checksum(canonicalJson(record))) return 'checksum mismatch';
  const problem = recordProblem(record);
  return problem ?? (record as unknown as JournalRecord);
}

function recordProblem(record: Record<string, unknown>): string | undefined {
  if (record.version !== STATE_VERSION) return `written for state version ${String(record.version)}`;
  if (typeof record.lineage !== 'string' || !Number.isInteger(record.serial)) return 'no lineage or serial';
  return entryProblem(record.entry);
}

/** Why `entry` is not a valid journal entry, or undefined. */
export function entryProblem(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== 'object') return 'no entry';
  const { op, stream, tag, value } = entry as Record<string, unknown>;
  if (typeof stream !== 'string' || stream === '' || typeof tag !== 'string' || tag === '') {
    return 'entry without stream or tag';
  }
  if (op === 'deleteTag') return undefined;
  if (op !== 'setTag') return `unknown operation ${JSON.stringify(op)}`;
  const problems = tagStateProblems(value);
  return problems.length === 0 ? undefined : `invalid tag state for ${stream}:${tag}:\n${formatProblems(problems)}`;
}

/** Applies `entry` to `state` in place; true when it changed something. */
export function applyJournalEntry(state: State, entry: JournalEntry): boolean {
  const stream = recordedStream(state, entry.stream);
  if (entry.op === 'deleteTag') {
    if (!stream || !Object.hasOwn(stream.tags, entry.tag)) return false;
    delete stream.tags[entry.tag];
    if (Object.keys(stream.tags).length === 0) delete state.streams[entry.stream];
    return true;
  }
  const current = recordedTag(state, entry.stream, entry.tag);
  if (current && canonicalJson(current) === canonicalJson(entry.value)) return false;
  setRecordedTag(state, entry.stream, entry.tag, sharedStringsOf(state).copy(entry.value));
  return true;
}

/** One string table per state, gone with it. */
const stringTables = new WeakMap<State, SharedStrings>();

function sharedStringsOf(state: State): SharedStrings {
  const known = stringTables.get(state);
  if (known) return known;
  const table = new SharedStrings();
  stringTables.set(state, table);
  return table;
}

function checksum(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
