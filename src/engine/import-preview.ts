import type { CatalogTag } from '../core/catalog.js';
import { type ImportReason, RegistryError } from '../core/errors.js';
import type { Plan } from '../core/plan-model.js';
import { recordedTag, setRecordedTag } from '../core/state-lookup.js';
import type { State, TagItem, TagState } from '../core/state-model.js';
import type { ImageRepository } from '../registry/repository.js';
import type { StateStore } from '../state/index.js';
import { importedItem } from './item-metadata.js';
import { failedTagState, importedTagState } from './tag-outcome.js';

/** What importing one planned tag would do, found without writing anything. */
export interface ImportPreview {
  /** A copy of the state with the tag as the import would leave it. */
  state: State;
  failure?: { reason: ImportReason; message: string };
  /** The item the import would add (its images' metadata read as the import reads it), when it adds one. */
  item?: TagItem;
}

/**
 * The tag's state after importing what `plan` resolved for it: the item with its images' metadata (the manifests
 * and configs an import reads), or the failure it would record. The store is only read.
 */
export async function previewImport(
  plan: Plan,
  tag: CatalogTag,
  store: StateStore,
  openRepository: () => ImageRepository,
): Promise<ImportPreview> {
  const state = structuredClone(store.state);
  const prior = recordedTag(state, tag.stream, tag.tag);
  const generation = store.priorSerial + 1;
  const preview: ImportPreview = { state };
  let value: TagState | undefined;
  const unresolved = plan.errors.find((e) => e.address === tag.address);
  if (unresolved) preview.failure = { reason: unresolved.reason, message: unresolved.message };
  else {
    try {
      const item = await plannedItem(plan, tag, openRepository(), generation);
      value = importedTagState(tag.spec, prior, item);
      if (value.items[0] === item) preview.item = item;
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      preview.failure = { reason: error.reason, message: error.message };
    }
  }
  if (preview.failure) value = failedTagState(tag.spec, prior, preview.failure, generation, new Date());
  setRecordedTag(state, tag.stream, tag.tag, value!);
  return preview;
}

function plannedItem(plan: Plan, tag: CatalogTag, repo: ImageRepository, generation: number): Promise<TagItem> {
  const planned = plan.changes.find((c) => c.address === tag.address)!.after!;
  return importedItem(repo, planned, new Date(), generation);
}
