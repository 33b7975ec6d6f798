/**
 * The imagestreams library: the same catalog, plan and apply the CLI uses.
 *
 *   const catalog = await loadCatalog('imagestreams.yaml');
 *   const changes = await plan(catalog);
 *   if (changes.summary.create + changes.summary.update + changes.summary.delete > 0) await apply(changes, catalog);
 */
import type { Catalog } from './core/catalog.js';
import type { Plan } from './core/plan-model.js';
import type { ApplyEvent, ApplyResult } from './engine/apply.js';
import type { CatalogRepositoriesOptions } from './engine/catalog-repositories.js';
import { asPlan } from './engine/saved-plan/saved-plan.js';
import { applyOperation } from './operations/apply.js';
import { type PlanScope, planOperation } from './operations/plan.js';
import { planDocument } from './render/plan-json.js';

export { loadCatalog } from './config/index.js';
export { parseCatalog } from './config/parse-catalog.js';
export type { Catalog, CatalogTag, ImportMode, ReferencePolicy, TagSpec } from './core/catalog.js';
export * from './core/errors.js';
export type {
  Plan,
  PlanDocument,
  PlannedChange,
  PlannedChangeDocument,
  PlannedDrift,
  PlannedError,
  PlatformRow,
} from './core/plan-model.js';
export { formatPlatform, normalizePlatform, type Platform, parsePlatform } from './core/platform.js';
export { formatReference, type ImageReference, parseImageSource, parseReference } from './core/reference.js';
export type { State, TagItem, TagState } from './core/state-model.js';
export type { LeftAlone, LeftAloneReason, PlatformMove, TagMove } from './core/update-model.js';
export { DEFAULT_UPDATE_POLICY, type UpdatePolicy } from './core/update-policy.js';
export type { ApplyEvent, ApplyResult } from './engine/apply.js';
export {
  type ApplyOutcome,
  type ApplyRequest,
  applyOperation,
  type ReadSavedPlanOptions,
  readSavedPlan,
} from './operations/apply.js';
export type { CatalogFileRef } from './operations/catalog-file.js';
export { forceUnlockOperation } from './operations/force-unlock.js';
export {
  type ImportImageRequest,
  type ImportImageResult,
  importImageOperation,
} from './operations/import-image.js';
export {
  DEFAULT_MAX_TAGS,
  type ImportAllRequest,
  type ImportAllResult,
  importAllOperation,
} from './operations/import-image-all.js';
export {
  type CiProvider,
  type InitFile,
  type InitRequest,
  type InitResult,
  initOperation,
} from './operations/init.js';
export { type InspectRequest, type InspectResult, inspectOperation } from './operations/inspect.js';
export { type PlanRequest, type PlanScope, planOperation } from './operations/plan.js';
export type { ImportProgress } from './operations/progress.js';
export { type PrunePlan, type PruneRequest, pruneOperation } from './operations/prune.js';
export {
  type DescribedStream,
  type DescribedTag,
  parseStreamTarget,
  readState,
  readStream,
  requireTag,
} from './operations/reads.js';
export { type TagEdit, type TagRequest, tagOperation } from './operations/tag.js';
export {
  type UpdateReport,
  type UpdateRequest,
  updateOperation,
} from './operations/update.js';
export { type ValidateResult, validateOperation } from './operations/validate.js';
export { type PlanFormat, renderPlan } from './render/plan.js';
export { planDocument, renderPlanJson } from './render/plan-json.js';
export { renderPlanMarkdown } from './render/plan-markdown.js';
export { renderPlanText } from './render/plan-text.js';
export { renderUpdateBody } from './render/update-markdown.js';

export interface PlanOptions extends CatalogRepositoriesOptions, PlanScope {}

/** Compares the catalog with its state file and the registries. */
export function plan(catalog: Catalog, options: PlanOptions = {}): Promise<Plan> {
  return planOperation(catalog, options);
}

export interface ApplyOptions extends CatalogRepositoriesOptions {
  concurrency?: number;
  /** How long to wait for the state lock, in milliseconds (default: fail at once). */
  lockTimeoutMs?: number;
  onEvent?: (event: ApplyEvent) => void;
}

/**
 * Imports exactly what `planned` says, under the state lock; refuses a plan made for another state, an older serial or
 * another version of the catalog, and a plan that is not what plan derives from the catalog, the state and the
 * images the plan observed (PlanMismatchError).
 */
export async function apply(planned: Plan, catalog: Catalog, options: ApplyOptions = {}): Promise<ApplyResult> {
  const { onEvent, ...rest } = options;
  const outcome = await applyOperation(catalog, {
    ...rest,
    saved: asPlan(planDocument(planned), 'the plan'),
    ...(onEvent && { progress: { onEvent } }),
  });
  return outcome.applied;
}
