import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StateError } from '../core/errors.js';
import { STATE_VERSION, type State } from '../core/state-model.js';
import { isErrorCode, removeIfExists, syncDirectory } from '../files/atomic-file.js';
import {
  applyJournalEntry,
  encodeJournalRecord,
  entryProblem,
  type JournalEntry,
  type JournalRecord,
  journalPath,
  readJournal,
} from './journal.js';
import { emptyState, type ReadStateOptions, readState, writeState } from './state-file.js';

interface PendingRecord {
  entry: JournalEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What a journal left by an earlier process means for the state file beside it. */
type Leftover = 'none' | 'replayed' | 'obsolete';

/**
 * The state file and its journal, `<path>.journal`. Each `record` appends one checksummed line and fsyncs it
 * before applying the entry in memory, so an import is durable as soon as it is recorded and persisting N
 * imports costs O(N); `commit` writes the whole state once and removes the journal. A journal left by a
 * crashed process is replayed by `open`.
 *
 * `serial` increments once per commit that changed something. A replayed journal counts as one such change:
 * the state it presents has the state file's serial + 1, and the first `record` of this process commits it
 * first, so that every distinct content of the state has its own serial (saved plans compare serials).
 *
 * Other processes are kept out by the state lock, which the caller holds while recording or committing;
 * `open` alone (to plan or show) needs no lock. Concurrent `record` calls are appended in call order, and
 * those arriving while an fsync is running share the next one.
 */
export class StateStore {
  private journal: FileHandle | undefined;
  private journalSize = 0;
  private batch: PendingRecord[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly openedSerial: number;
  private closed = false;
  /** Why the journal could not be written: nothing more is recorded after a failure. */
  private failure: StateError | undefined;

  private constructor(
    readonly path: string,
    private readonly current: State,
    /** Serial of the state file on disk (0 when there is none). */
    private fileSerial: number,
    private leftover: Leftover,
    /** Journal records replayed by `open`. */
    readonly recovered: number,
    private dirty: boolean,
  ) {
    this.openedSerial = current.serial;
  }

  /** Reads the state at `path` (an empty one when there is no file) and replays a journal left beside it. */
  static async open(path: string, options: ReadStateOptions = {}): Promise<StateStore> {
    const file = await readState(path, options);
    const journal = await readJournal(journalPath(path));
    const state = file ?? emptyState();
    const fileSerial = file?.serial ?? 0;
    const records = journal?.records ?? [];
    const base = journalBase(records, path, file);
    if (base === undefined || base.serial < fileSerial) {
      return new StateStore(path, state, fileSerial, journal ? 'obsolete' : 'none', 0, false);
    }
    state.lineage = base.lineage;
    let changed = false;
    for (const { entry } of records) changed = applyJournalEntry(state, entry) || changed;
    if (changed) state.serial = fileSerial + 1;
    return new StateStore(path, state, fileSerial, 'replayed', records.length, changed);
  }

  /** The current state, including replayed and recorded entries; change it only through `record`. */
  get state(): State {
    return this.current;
  }

  /**
   * The serial of the state as this store found it: the state file's, + 1 when a replayed journal changed it.
   * A saved plan made from this store records it; applying the plan must find the same value.
   */
  get priorSerial(): number {
    return this.openedSerial;
  }

  /** True when there are changes that `commit` would write. */
  get changed(): boolean {
    return this.dirty;
  }

  /**
   * Makes `entry` durable in the journal, then applies it to `state`. Once an append has failed, every later
   * `record` fails the same way: what the journal holds stays exactly what was recorded before the failure.
   */
  record(entry: JournalEntry): Promise<void> {
    const problem = entryProblem(entry);
    if (problem !== undefined) return Promise.reject(new StateError(`invalid state change: ${problem}`));
    if (this.closed) return Promise.reject(this.closedError());
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.batch.push({ entry: structuredClone(entry), resolve, reject });
      if (this.batch.length === 1) void this.exclusive(() => this.flushBatch());
    });
  }

  /** Writes the whole state atomically (serial + 1) if anything changed, then removes the journal. True if written. */
  commit(): Promise<boolean> {
    if (this.closed) return Promise.reject(this.closedError());
    return this.exclusive(() => this.writeStateAndDropJournal());
  }

  /** Stops without committing: what was recorded stays in the journal and is replayed by the next `open`. */
  close(): Promise<void> {
    this.closed = true;
    return this.exclusive(() => this.closeJournal());
  }

  private closedError(): StateError {
    return new StateError(`the state store of ${this.path} was closed without committing`);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  private async flushBatch(): Promise<void> {
    const batch = this.batch.splice(0);
    if (this.failure) {
      for (const pending of batch) pending.reject(this.failure);
      return;
    }
    try {
      const handle = await this.openJournal();
      const lines = batch.map(({ entry }) => encodeJournalRecord(this.journalRecord(entry))).join('');
      await handle.appendFile(lines, 'utf8');
      await handle.datasync();
      this.journalSize += Buffer.byteLength(lines);
    } catch (error) {
      await this.journal?.truncate(this.journalSize).catch(() => {});
      this.failure =
        error instanceof StateError
          ? error
          : new StateError(`cannot record in state journal ${journalPath(this.path)}: ${(error as Error).message}`, {
              cause: error,
            });
      for (const pending of batch) pending.reject(this.failure);
      return;
    }
    for (const pending of batch) {
      try {
        this.apply(pending.entry);
        pending.resolve();
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  private journalRecord(entry: JournalEntry): JournalRecord {
    return { version: STATE_VERSION, lineage: this.current.lineage, serial: this.fileSerial, entry };
  }

  private apply(entry: JournalEntry): void {
    if (applyJournalEntry(this.current, entry) && !this.dirty) {
      this.dirty = true;
      this.current.serial = this.fileSerial + 1;
    }
  }

  /** The journal this process appends to; a leftover one is folded into the state file (or removed) first. */
  private async openJournal(): Promise<FileHandle> {
    if (this.journal) return this.journal;
    if (this.leftover !== 'none') await this.writeStateAndDropJournal();
    const path = journalPath(this.path);
    await mkdir(dirname(path), { recursive: true });
    try {
      this.journal = await open(path, 'wx');
    } catch (error) {
      if (!isErrorCode(error, 'EEXIST')) throw error;
      throw new StateError(
        `state journal ${path} appeared while this process was writing the state: another process is writing it without holding the state lock`,
      );
    }
    this.journalSize = 0;
    await syncDirectory(dirname(path));
    return this.journal;
  }

  private async writeStateAndDropJournal(): Promise<boolean> {
    const wrote = this.dirty;
    if (this.dirty) {
      await writeState(this.path, this.current);
      this.fileSerial = this.current.serial;
      this.dirty = false;
    }
    const hadJournal = this.journal !== undefined || this.leftover !== 'none';
    await this.closeJournal();
    if (hadJournal) await removeIfExists(journalPath(this.path));
    this.leftover = 'none';
    return wrote;
  }

  private async closeJournal(): Promise<void> {
    const handle = this.journal;
    this.journal = undefined;
    await handle?.close();
  }
}

/**
 * The lineage and serial every record of a leftover journal shares; undefined when it holds no record.
 * A journal that belongs to another state, or continues a state file that is missing or older, is refused.
 */
function journalBase(
  records: JournalRecord[],
  path: string,
  file: State | null,
): { lineage: string; serial: number } | undefined {
  const first = records[0];
  if (!first) return undefined;
  const journal = journalPath(path);
  if (records.some((r) => r.lineage !== first.lineage || r.serial !== first.serial)) {
    throw new StateError(`state journal ${journal} mixes records of different states; move it away to continue`);
  }
  if (file && first.lineage !== file.lineage) {
    throw new StateError(
      `state journal ${journal} belongs to another state (lineage ${first.lineage}, while ${path} has lineage ${file.lineage}); ` +
        'move the journal away to continue without the imports it recorded',
    );
  }
  const fileSerial = file?.serial ?? 0;
  if (first.serial > fileSerial) {
    const found = file ? `${path} has serial ${fileSerial}` : `${path} does not exist`;
    throw new StateError(
      `state journal ${journal} continues serial ${first.serial} of the state, but ${found}; ` +
        `restore the state file (see ${path}.backup) or move the journal away`,
    );
  }
  return { lineage: first.lineage, serial: first.serial };
}

/** The state a plan starts from: null before anything was ever written (serial 0), as a saved plan records it. */
export function planningState(store: StateStore): State | null {
  return store.state.serial === 0 ? null : store.state;
}
