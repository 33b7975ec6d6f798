import { validated } from '../config/catalog-edit.js';
import { writeCatalogText } from '../config/catalog-file-text.js';
import { rewriteCatalogFroms } from '../config/catalog-from-edit.js';
import type { CatalogTag } from '../core/catalog.js';
import type { UpdateFindings } from '../core/update-model.js';
import { DEFAULT_UPDATE_POLICY, type UpdatePolicy } from '../core/update-policy.js';
import { findUpdates } from '../engine/update.js';
import { listSourceTags } from '../registry/tag-lister.js';
import { type CatalogFileRef, readCatalogFile } from './catalog-file.js';
import { type CatalogRepositoriesOptions, withRepositories } from './repositories.js';

export interface UpdateRequest extends CatalogRepositoriesOptions {
  catalog: CatalogFileRef;
  /** The policy of streams that set no `update.policy` (default: minor). */
  policy?: UpdatePolicy;
  targets?: readonly string[];
  /** Find and report the moves; leave the catalog as it is. */
  dryRun?: boolean;
}

export interface UpdateReport extends UpdateFindings {
  /** The catalog's path as shown to the user. */
  catalog: string;
  /** True when the catalog's text changes (or would, with a dry run). */
  changed: boolean;
  /** True when the new text was written. */
  written: boolean;
}

/**
 * Moves the catalog's pinned tags to what their registries offer now, rewriting their `from` in place (comments and
 * layout kept). Nothing is written unless every tag could be looked at.
 */
export async function updateOperation(request: UpdateRequest): Promise<UpdateReport> {
  const file = await readCatalogFile(request.catalog, 'error');
  const catalog = validated(file, file.text);
  const findings = await withRepositories(catalog, request, (repositories) =>
    findUpdates({
      catalog,
      openTag: repositories.openTag,
      listTags: (tag: CatalogTag) =>
        listSourceTags(repositories.repositories, tag.source, { insecure: tag.spec.insecure }),
      policy: request.policy ?? DEFAULT_UPDATE_POLICY,
      targets: request.targets ?? [],
    }),
  );
  const edit = rewriteCatalogFroms(
    file,
    findings.moves.map((m) => ({ stream: m.stream, tag: m.tag, from: m.after })),
  );
  const write = edit.changed && !request.dryRun;
  if (write) await writeCatalogText(file.path, edit.after);
  return { ...findings, catalog: file.displayPath, changed: edit.changed, written: write };
}
