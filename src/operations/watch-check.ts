import type { CatalogTag } from '../core/catalog.js';
import type { Plan, PlannedChange, PlannedError } from '../core/plan-model.js';
import { tagState } from '../core/planner.js';
import type { State, TagState } from '../core/state-model.js';
import { planCatalog } from '../engine/plan.js';
import { withFollowers } from '../engine/scheduled-plan.js';
import { hasFailure, sameFailure } from '../engine/watch/conditions.js';
import type { TagOutcome } from '../engine/watch/events.js';
import { asFailure, HeldResources } from '../engine/watch/held-resources.js';
import { RetryAfterNotes } from '../engine/watch/retry-after-notes.js';
import type { TagJob } from '../engine/watch/scheduler.js';
import type { TagCheckContext } from '../engine/watch/watch.js';
import { canonicalJson, planningState, StateStore } from '../state/index.js';
import { writePlannedTag } from './tag-import.js';

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

function checkTag(
  tag: CatalogTag,
  context: TagCheckContext,
  stop: AbortSignal,
  held: HeldResources,
): Promise<TagOutcome> {
  return observeAndWrite(tag, context, stop, held).catch(asFailure);
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

  const lock = await held.lockState(statePath, tag.address, context, stop);
  if (!lock) return { kind: 'abandoned' };
  try {
    held.store = await StateStore.open(statePath);
    const fresh = planningState(held.store);
    // Forgotten meanwhile (a discovered tag that left its window): not brought back.
    if (before && !tagState(fresh, tag.stream, tag.tag)) return { kind: 'unchanged', digest: null };
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
    targets: withFollowers(context.catalog, [tag.address]),
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
  const change = importOf(plan, tag);
  if (errorOf(plan, tag) || change) {
    const now = () => new Date(context.clock.now());
    const options = { openTag: context.openTag, ...(context.local && { local: context.local }), now };
    const along = change ? movedFollowers(plan, tag) : [];
    const failure = await writePlannedTag(plan, tag, store, options, along);
    if (failure) return { kind: 'failed', reason: failure.reason, message: failure.message };
    return importedOutcome(change!, along);
  }
  if (prior && hasFailure(prior)) {
    await store.record({ op: 'setTag', stream: tag.stream, tag: tag.tag, value: { ...prior, conditions: [] } });
    await store.commit();
  }
  return { kind: 'unchanged', digest: prior?.items[0]?.digest ?? null };
}

/**
 * The tags following `tag` (directly or along a chain) that move with it, as OpenShift moves a tag tracking one that
 * a scheduled import updated. A follower that is new or whose spec changed is left to `apply`, like any tag.
 */
function movedFollowers(plan: Plan, tag: CatalogTag): PlannedChange[] {
  return plan.changes.filter(
    (c) => c.reference && c.address !== tag.address && c.action === 'update' && c.reason === 'upstream_moved',
  );
}

function importedOutcome(change: PlannedChange & { action: 'create' | 'update' }, along: PlannedChange[]): TagOutcome {
  return {
    kind: 'imported',
    action: change.action,
    reason: change.reason ?? 'upstream_moved',
    digest: change.after!.digest,
    previous: change.before?.digest ?? null,
    followers: along.map((c) => c.address),
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
