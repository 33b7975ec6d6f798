import type { Catalog, CatalogTag } from '../core/catalog.js';
import { type LockInfo, RegistryError, StateError } from '../core/errors.js';
import type { Plan, PlannedChange, PlannedError } from '../core/plan-model.js';
import { tagState } from '../core/planner.js';
import type { State, TagState } from '../core/state-model.js';
import type { ImageRepository } from '../registry/repository.js';
import { canonicalJson, type Lock, planningState, StateStore } from '../state/index.js';
import { applyPlan } from './apply.js';
import type { LocalStore } from './mirror-target.js';
import { planCatalog } from './plan.js';
import { RetryAfterNotes } from './retry-after-notes.js';
import { failedTagState } from './tag-outcome.js';
import type { Clock } from './watch-clock.js';
import { hasFailure, sameFailure } from './watch-conditions.js';
import type { TagOutcome } from './watch-events.js';
import { waitForStateLock } from './watch-lock.js';
import type { TagJob } from './watch-scheduler.js';

/** The catalog a check runs against and the repositories its tags import from. */
export interface TagCheckContext {
  catalog: Catalog;
  openTag(tag: CatalogTag): ImageRepository;
  /** Where `referencePolicy: Local` tags are mirrored (the catalog's `local`), if it has one. */
  local?: LocalStore;
  clock: Clock;
  /** How often to try the state lock again while another process holds it. */
  lockPollMs: number;
  onLockWait(address: string, holder: LockInfo | null): void;
}

/**
 * Starts the check of one scheduled tag: refresh it (one HEAD; the manifest only when it moved), and when something
 * must be written — an import, a failure condition, or clearing one — take the state lock (waiting while another
 * process holds it), re-read the state, re-plan if the tag changed meanwhile, and write through `applyPlan`.
 * Once `stop` is aborted, a check that does not hold the lock yet gives up.
 */
export function startTagCheck(tag: CatalogTag, context: TagCheckContext, stop: AbortSignal): TagJob {
  const held = new HeldResources();
  const notes = new RetryAfterNotes();
  const noting = { ...context, openTag: (t: CatalogTag) => notes.watch(context.openTag(t)) };
  const done = checkTag(tag, noting, stop, held).then((outcome) => withRetryAfter(outcome, notes.retryAfterMs));
  return { done, abandon: () => held.abandon() };
}

/** A rate-limited check carries the wait the registry asked for, so that the next attempt honours it. */
function withRetryAfter(outcome: TagOutcome, retryAfterMs: number | undefined): TagOutcome {
  if (outcome.kind !== 'failed' || outcome.reason !== 'TooManyRequests' || retryAfterMs === undefined) return outcome;
  return { ...outcome, retryAfterMs };
}

/** The state lock and store a check holds, so that abandoning it stops its writes and frees the lock. */
class HeldResources {
  private abandoned = false;
  private lockAttempt: Promise<Lock | undefined> | undefined;
  private lock: Lock | undefined;
  store: StateStore | undefined;

  get isAbandoned(): boolean {
    return this.abandoned;
  }

  async takeLock(take: () => Promise<Lock | undefined>): Promise<Lock | undefined> {
    this.lockAttempt = take();
    this.lock = await this.lockAttempt;
    if (this.abandoned) await this.lock?.release();
    return this.abandoned ? undefined : this.lock;
  }

  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.lockAttempt?.catch(() => undefined);
    await this.store?.close();
    await this.lock?.release();
  }
}

async function checkTag(
  tag: CatalogTag,
  context: TagCheckContext,
  stop: AbortSignal,
  held: HeldResources,
): Promise<TagOutcome> {
  try {
    return await observeAndWrite(tag, context, stop, held);
  } catch (error) {
    if (error instanceof StateError) return { kind: 'failed', reason: 'StateError', message: error.message } as const;
    if (error instanceof RegistryError)
      return { kind: 'failed', reason: error.reason, message: error.message } as const;
    throw error;
  }
}

async function observeAndWrite(
  tag: CatalogTag,
  context: TagCheckContext,
  stop: AbortSignal,
  held: HeldResources,
): Promise<TagOutcome> {
  const statePath = context.catalog.statePath;
  const observed = planningState(await StateStore.open(statePath));
  const plan = await planTag(tag, observed, context);
  const before = tagState(observed, tag.stream, tag.tag);
  if (!needsWrite(plan, tag, before)) return outcomeWithoutWrite(plan, tag, before);
  if (stop.aborted) return { kind: 'abandoned' };

  const lock = await held.takeLock(() =>
    waitForStateLock(statePath, {
      clock: context.clock,
      pollMs: context.lockPollMs,
      signal: stop,
      onWait: (holder) => context.onLockWait(tag.address, holder),
    }),
  );
  if (!lock) return { kind: 'abandoned' };
  try {
    held.store = await StateStore.open(statePath);
    const fresh = planningState(held.store);
    const current = sameTagState(tagState(fresh, tag.stream, tag.tag), before)
      ? plan
      : await planTag(tag, fresh, context);
    return await write(current, tag, held.store, context);
  } finally {
    await lock.release();
  }
}

function planTag(tag: CatalogTag, state: State | null, context: TagCheckContext): Promise<Plan> {
  return planCatalog(context.catalog, state, {
    targets: [tag.address],
    reimport: [],
    refresh: true,
    concurrency: 1,
    openTag: context.openTag,
    ...(context.local && { local: context.local }),
    now: new Date(context.clock.now()),
  });
}

function needsWrite(plan: Plan, tag: CatalogTag, prior: TagState | undefined): boolean {
  const error = errorOf(plan, tag);
  if (error) return !sameFailure(prior, error.reason, error.message);
  return importOf(plan, tag) !== undefined || hasFailure(prior);
}

function outcomeWithoutWrite(plan: Plan, tag: CatalogTag, prior: TagState | undefined): TagOutcome {
  const error = errorOf(plan, tag);
  if (error) return { kind: 'failed', reason: error.reason, message: error.message };
  return { kind: 'unchanged', digest: prior?.items[0]?.digest ?? null };
}

async function write(plan: Plan, tag: CatalogTag, store: StateStore, context: TagCheckContext): Promise<TagOutcome> {
  const prior = tagState(store.state, tag.stream, tag.tag);
  const error = errorOf(plan, tag);
  if (error) {
    const at = new Date(context.clock.now());
    const value = failedTagState(tag.spec, prior, error, store.priorSerial + 1, at);
    await store.record({ op: 'setTag', stream: tag.stream, tag: tag.tag, value });
    await store.commit();
    return { kind: 'failed', reason: error.reason, message: error.message };
  }
  const change = importOf(plan, tag);
  if (change) return importChange(plan, change, tag, store, context);
  if (prior && hasFailure(prior)) {
    await store.record({ op: 'setTag', stream: tag.stream, tag: tag.tag, value: { ...prior, conditions: [] } });
    await store.commit();
  }
  return { kind: 'unchanged', digest: prior?.items[0]?.digest ?? null };
}

async function importChange(
  plan: Plan,
  change: PlannedChange & { action: 'create' | 'update' },
  tag: CatalogTag,
  store: StateStore,
  context: TagCheckContext,
): Promise<TagOutcome> {
  const result = await applyPlan(
    { ...plan, changes: [change] },
    {
      store,
      openRepository: () => context.openTag(tag),
      ...(context.local && { local: context.local }),
      concurrency: 1,
      now: () => new Date(context.clock.now()),
    },
  );
  const failure = result.failed[0];
  if (failure) return { kind: 'failed', reason: failure.reason, message: failure.message };
  return {
    kind: 'imported',
    action: change.action,
    reason: change.reason ?? 'upstream_moved',
    digest: change.after!.digest,
    previous: change.before?.digest ?? null,
  };
}

function errorOf(plan: Plan, tag: CatalogTag): PlannedError | undefined {
  return plan.errors.find((e) => e.address === tag.address);
}

function importOf(plan: Plan, tag: CatalogTag): (PlannedChange & { action: 'create' | 'update' }) | undefined {
  const change = plan.changes.find((c) => c.address === tag.address);
  return change && (change.action === 'create' || change.action === 'update')
    ? (change as PlannedChange & { action: 'create' | 'update' })
    : undefined;
}

function sameTagState(a: TagState | undefined, b: TagState | undefined): boolean {
  return a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b);
}
