import type { ImportReason } from '../core/errors.js';
import { InterruptedError, RegistryError, StateError } from '../core/errors.js';
import { type FollowingChange, inDependencyOrder, isFollowingChange } from '../core/following-changes.js';
import type { Plan, PlannedChange } from '../core/plan-model.js';
import { recordedTag } from '../core/state-lookup.js';
import type { State, TagItem } from '../core/state-model.js';
import type { ImageRepository } from '../registry/repository.js';
import type { JournalEntry, StateStore } from '../state/index.js';
import { followedItem, importedOrigin } from './apply-references.js';
import { mapConcurrent } from './concurrency.js';
import type { Interruption } from './interruption.js';
import { importedItem } from './item-metadata.js';
import type { LocalStore } from './local-store.js';
import { mirrorImage } from './mirror/mirror.js';
import { MountSources, repositoryOfPullSpec } from './mirror/mount-sources.js';
import { prepareDestinations } from './mirror/prepare.js';
import { MirrorRun } from './mirror/run.js';
import { CachingRepository } from './mirror/source.js';
import { failedTagState, importedTagState } from './tag-outcome.js';

export type ApplyEvent =
  | { type: 'start'; address: string; action: PlannedChange['action'] }
  | { type: 'done'; address: string; action: PlannedChange['action']; digest: string | null }
  | { type: 'failed'; address: string; reason: ImportReason; message: string }
  /** A Local tag's copy into the local store: `bytes` copied so far, of the `plannedBytes` its plan counted. */
  | { type: 'copied'; address: string; bytes: number; plannedBytes: number | null };

export interface ApplyOptions {
  store: StateStore;
  /** The repository a change imports from (its tag's source). */
  openRepository: (change: PlannedChange) => ImageRepository;
  /** Where Local tags are mirrored (the catalog's `local`); a Local tag fails to import without it. */
  local?: LocalStore;
  concurrency: number;
  now?: () => Date;
  onEvent?: (event: ApplyEvent) => void;
  /** Imports known to fail before they start (their planned image could not be read): recorded as failed. */
  failing?: ReadonlyMap<string, RegistryError>;
  /** Once it stops, no change starts; once it abandons, the changes in progress are no longer waited for. */
  interruption?: Interruption;
}

export interface ApplyResult {
  imported: string[];
  removed: string[];
  failed: { address: string; reason: ImportReason; message: string }[];
}

/**
 * Performs the changes of a plan: imports exactly the planned digests, records each completed import in the state
 * journal as it lands, turns failures into conditions (keeping the tag's previous items), and commits once at the end.
 * A change is reported done only once it is recorded. When the journal cannot be written, apply starts nothing more
 * and fails with a StateError saying which changes were recorded and which were not. Interrupted, it commits what
 * was recorded and fails with an InterruptedError, unless every change was recorded by then.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = { imported: [], removed: [], failed: [] };
  const work = plan.changes.filter((c) => c.action !== 'noop');
  const run: ApplyRun = {
    options,
    generation: options.store.priorSerial + 1,
    now: options.now ?? (() => new Date()),
    mirror: options.local && mirrorContext(options.local, options.store.state),
    changes: new Map(plan.changes.map((c) => [c.address, c])),
    result,
    recorded: [],
  };
  const preparing =
    run.mirror && prepareDestinations(run.mirror.store, mirroredStreams(work, options.failing), 'write');
  const step = async (change: PlannedChange) => {
    if (run.halted || options.interruption?.stop.aborted) return;
    try {
      await untilAbandoned(applyChange(change, run), options.interruption?.abandon);
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      run.halted ??= error;
    }
  };
  await mapConcurrent(
    work.filter((c) => !isFollowingChange(c)),
    options.concurrency,
    step,
  );
  // Following tags get the image their tag recorded: after the imports, one at a time, in dependency order.
  for (const change of inDependencyOrder(work.filter(isFollowingChange))) await step(change);
  await preparing;
  if (run.halted) throw stoppedError(run.halted, run.recorded, work);
  await options.store.commit();
  const left = notRecorded(work, run.recorded);
  if (options.interruption?.stop.aborted && left.length > 0) throw new InterruptedError([...run.recorded], left);
  return result;
}

/** `work`, or less once `abandon` is aborted: the change is then left to finish (or fail) unheeded. */
function untilAbandoned(work: Promise<void>, abandon: AbortSignal | undefined): Promise<void> {
  if (!abandon) return work;
  return new Promise((resolve, reject) => {
    const onAbandon = () => {
      work.catch(() => {});
      resolve();
    };
    if (abandon.aborted) return onAbandon();
    abandon.addEventListener('abort', onAbandon, { once: true });
    work.then(resolve, reject).finally(() => abandon.removeEventListener('abort', onAbandon));
  });
}

/** Writes a change's outcome to the journal, unless the change was abandoned: nothing of it is written after that. */
async function record(run: ApplyRun, entry: JournalEntry): Promise<void> {
  if (run.options.interruption?.abandon.aborted) throw new Error('abandoned');
  await run.options.store.record(entry);
}

function notRecorded(work: PlannedChange[], recorded: string[]): string[] {
  const done = new Set(recorded);
  return work.map((c) => c.address).filter((address) => !done.has(address));
}

/** The streams the changes copy images into: those of Local tags imported or following, unless known to fail. */
function mirroredStreams(work: PlannedChange[], failing: ApplyOptions['failing']): Set<string> {
  const copying = work.filter(
    (change) => change.action !== 'delete' && change.spec?.referencePolicy === 'Local' && !failing?.has(change.address),
  );
  return new Set(copying.map((change) => change.stream));
}

/** What the changes of one apply share. */
interface ApplyRun {
  options: ApplyOptions;
  generation: number;
  now: () => Date;
  mirror: MirrorContext | undefined;
  /** Every change of the plan, noops included, by address. */
  changes: ReadonlyMap<string, PlannedChange>;
  result: ApplyResult;
  /** Addresses whose outcome (import, removal or failure) is recorded in the journal. */
  recorded: string[];
  /** The failure to record that stopped this apply. */
  halted?: StateError;
}

async function applyChange(change: PlannedChange, run: ApplyRun): Promise<void> {
  const { options, result } = run;
  options.onEvent?.({ type: 'start', address: change.address, action: change.action });
  if (change.action === 'delete') {
    await record(run, { op: 'deleteTag', stream: change.stream, tag: change.tag });
    run.recorded.push(change.address);
    result.removed.push(change.address);
    options.onEvent?.({ type: 'done', address: change.address, action: change.action, digest: null });
    return;
  }
  const prior = recordedTag(options.store.state, change.stream, change.tag);
  let item: TagItem;
  try {
    const failing = options.failing?.get(change.address);
    if (failing) throw failing;
    item = isFollowingChange(change)
      ? await followingItem(change, run)
      : await importChange(change, options, run.mirror, run.now(), run.generation);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    const value = failedTagState(change.spec!, prior, error, run.generation, run.now());
    await record(run, { op: 'setTag', stream: change.stream, tag: change.tag, value });
    run.recorded.push(change.address);
    result.failed.push({ address: change.address, reason: error.reason, message: error.message });
    options.onEvent?.({ type: 'failed', address: change.address, reason: error.reason, message: error.message });
    return;
  }
  const value = importedTagState(change.spec!, prior, item);
  await record(run, { op: 'setTag', stream: change.stream, tag: change.tag, value });
  run.recorded.push(change.address);
  result.imported.push(change.address);
  options.onEvent?.({ type: 'done', address: change.address, action: change.action, digest: item.digest });
}

/** The item a follower records; a Local follower's image is copied into its own mirror first. */
async function followingItem(change: FollowingChange, run: ApplyRun): Promise<TagItem> {
  const item = followedItem(change, run.options.store, run.now(), run.generation);
  if (change.spec?.referencePolicy !== 'Local') return item;
  const { mirror } = run;
  if (!mirror) throw noLocalStore(change);
  const source = new CachingRepository(run.options.openRepository(importedOrigin(change, run.changes)));
  const target = mirror.store.open(change.stream);
  await mirrorImage(source, target, { digest: item.digest, tag: change.tag }, mirror.store.transfers, {
    run: mirror.run,
  });
  return item;
}

function noLocalStore(change: PlannedChange): RegistryError {
  return new RegistryError(
    'InternalError',
    `${change.address} has referencePolicy Local, but no local store to mirror it into was given to this command`,
  );
}

const LISTED_ADDRESSES = 10;

/** The failure to record, with what was recorded before it (kept in the journal) and what was not. */
function stoppedError(failure: StateError, recorded: string[], work: PlannedChange[]): StateError {
  const kept =
    recorded.length > 0
      ? `Recorded before that, and kept in the state journal (the next apply writes it into the state file): ${list(recorded)}.`
      : 'Nothing was recorded.';
  const notDone = list(notRecorded(work, recorded));
  return new StateError(`${failure.message}\nApply stopped. ${kept} Not recorded: ${notDone}.`, { cause: failure });
}

function list(addresses: string[]): string {
  const shown = addresses.slice(0, LISTED_ADDRESSES).join(', ');
  const more = addresses.length - LISTED_ADDRESSES;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/**
 * Imports a change's planned item; for a Local tag, mirrors it into the local store as well (before anything is
 * recorded: a failed copy leaves the tag's previous item in place) and records the local pull spec.
 */
async function importChange(
  change: PlannedChange,
  options: ApplyOptions,
  mirror: MirrorContext | undefined,
  created: Date,
  generation: number,
): Promise<TagItem> {
  const planned = change.after!;
  const source = options.openRepository(change);
  if (change.spec?.referencePolicy !== 'Local') return importedItem(source, planned, created, generation);
  if (!mirror) throw noLocalStore(change);
  const target = mirror.store.open(change.stream);
  const cached = new CachingRepository(source);
  const item = await importedItem(cached, planned, created, generation);
  const sourceImageReference = source.pullSpec(planned.digest);
  const likely = mirror.mounts.likeliest(change.stream, repositoryOfPullSpec(sourceImageReference));
  await mirrorImage(cached, target, { digest: planned.digest, tag: change.tag }, mirror.store.transfers, {
    run: mirror.run,
    mountFrom: likely ? [likely] : [],
    ...(options.onEvent &&
      (change.copy?.bytes ?? 0) >= REPORTED_COPY_BYTES && {
        onBytes: copiedEvents(change, options.onEvent),
      }),
  });
  return { ...item, dockerImageReference: target.pullSpec(planned.digest), sourceImageReference };
}

/**
 * The smallest copy whose bytes are reported as they pass: counting every chunk of every blob costs an apply of many
 * small images about a fifth of its time, and a small copy is over before a rate could be shown.
 */
const REPORTED_COPY_BYTES = 16 * 1024 * 1024;

/** Turns the bytes a change's copy reports into `copied` events holding the running total. */
function copiedEvents(change: PlannedChange, onEvent: (event: ApplyEvent) => void): (bytes: number) => void {
  let copied = 0;
  const plannedBytes = change.copy?.bytes ?? null;
  return (bytes) => {
    copied += bytes;
    onEvent({ type: 'copied', address: change.address, bytes: copied, plannedBytes });
  };
}

/** The local store, the run its copies of one apply share, and where the state says blobs may be mounted from. */
interface MirrorContext {
  store: LocalStore;
  run: MirrorRun;
  mounts: MountSources;
}

function mirrorContext(store: LocalStore, state: State): MirrorContext {
  return { store, run: new MirrorRun(), mounts: new MountSources(state, store) };
}
