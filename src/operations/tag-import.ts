import type { CatalogTag } from '../core/catalog.js';
import type { ImportReason } from '../core/errors.js';
import type { Plan, PlannedChange } from '../core/plan-model.js';
import type { Interruption } from '../engine/interruption.js';
import type { LocalStore } from '../engine/local-store.js';
import type { ImageRepository } from '../registry/repository.js';
import type { StateStore } from '../state/index.js';
import { applyWithProgress, type ImportProgress } from './progress.js';
import { recordUnresolvedTag } from './state.js';

export interface ImportFailure {
  reason: ImportReason;
  message: string;
}

export interface TagImportOptions {
  openTag(tag: CatalogTag): ImageRepository;
  local?: LocalStore;
  now(): Date;
  progress?: ImportProgress;
  interruption?: Interruption;
}

/**
 * Writes what `plan` says about one tag into the state (whose lock the caller holds): a source that could not be
 * resolved as a failed condition, otherwise the tag's planned import, with the planned changes of `along` (tags
 * following it, recorded after it). Returns the tag's failure, if any.
 */
export async function writePlannedTag(
  plan: Plan,
  tag: CatalogTag,
  store: StateStore,
  options: TagImportOptions,
  along: readonly PlannedChange[] = [],
): Promise<ImportFailure | undefined> {
  const unresolved = plan.errors.find((e) => e.address === tag.address);
  if (unresolved) {
    await recordUnresolvedTag(store, tag, unresolved, options.now());
    return unresolved;
  }
  const changes = [...plan.changes.filter((c) => c.address === tag.address), ...along];
  const applyOptions = {
    store,
    openRepository: () => options.openTag(tag),
    ...(options.local && { local: options.local }),
    concurrency: 1,
    now: options.now,
    ...(options.interruption && { interruption: options.interruption }),
  };
  const result = await applyWithProgress({ ...plan, changes }, applyOptions, options.progress);
  return result.failed.find((f) => f.address === tag.address);
}
