import { lstat, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type LoadCatalogOptions, loadCatalog } from '../config/index.js';
import type { Catalog } from '../core/catalog.js';
import { CatalogError, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../files/atomic-file.js';
import { type ExportNote, exportImageStreams } from '../openshift/export-objects.js';
import type { ImageStreamObject } from '../openshift/image-stream-types.js';
import { kustomizationYaml, manifestsYaml, streamFileName } from '../openshift/manifest-yaml.js';
import { imageStreamViolations } from '../openshift/strict-validation.js';
import { StateStore } from '../state/index.js';

export interface ExportRequest {
  catalogPath: string;
  load: LoadCatalogOptions;
  namespace?: string;
  /** Every tag by its source tag, pinned ones too. */
  sourceTags?: boolean;
}

/** A registry whose images the cluster needs a pull secret for; the secret's data is never exported. */
export interface PullSecretNeed {
  registry: string;
  /** The catalog's secret file for it, relative to the catalog. */
  secretFile: string;
}

export interface ExportedCatalog {
  objects: ImageStreamObject[];
  notes: ExportNote[];
  pullSecrets: PullSecretNeed[];
  /** The comment lines that head the YAML. */
  header: string[];
}

/** The catalog as strictly valid ImageStreams, pinned tags by the digests the state recorded. Reads, never writes. */
export async function exportOperation(request: ExportRequest): Promise<ExportedCatalog> {
  const catalog = await loadCatalog(request.catalogPath, request.load);
  checkMetadata(catalog);
  const state = (await StateStore.open(catalog.statePath)).state;
  const { objects, notes } = exportImageStreams(catalog, state, request);
  for (const object of objects) checkStrict(object);
  const pullSecrets = pullSecretNeeds(catalog);
  return { objects, notes, pullSecrets, header: headerLines(catalog, pullSecrets) };
}

/** The export as one multi-document YAML text. */
export function exportText(exported: ExportedCatalog): string {
  return manifestsYaml(exported.objects, exported.header);
}

/**
 * Writes one file a stream and a kustomization.yaml into `dir`; returns the paths written. The files are committed
 * beside the catalog, so a pull request may have made one a symbolic link: none is written through (nothing is
 * written when one is a link).
 */
export async function writeSplitExport(exported: ExportedCatalog, dir: string, namespace?: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = exported.objects.map(streamFileName);
  const kustomization = join(dir, 'kustomization.yaml');
  const paths = [...files.map((file) => join(dir, file)), kustomization];
  for (const path of paths) await refuseLink(path);
  for (const [index, object] of exported.objects.entries()) {
    await writeFileAtomic(paths[index]!, manifestsYaml([object], exported.header));
  }
  await writeFileAtomic(kustomization, kustomizationYaml(files, namespace));
  return paths;
}

async function refuseLink(path: string): Promise<void> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats?.isSymbolicLink()) {
    throw new UsageError(
      `${path} is a symbolic link; export --split writes its files only in place (nothing was written)`,
    );
  }
}

/** What the catalog is warned about because the API server would refuse it stops the export, where it is written. */
function checkMetadata(catalog: Catalog): void {
  const refused = (catalog.warnings ?? []).filter((warning) => warning.refusedOnExport);
  if (refused.length > 0) throw new CatalogError(refused);
}

function checkStrict(object: ImageStreamObject): void {
  const violations = imageStreamViolations(object);
  if (violations.length === 0) return;
  throw new UsageError(
    `the ImageStream "${object.metadata.name}" would not pass OpenShift's strict validation: ${violations.join('; ')}`,
  );
}

function pullSecretNeeds(catalog: Catalog): PullSecretNeed[] {
  const dir = join(catalog.path, '..');
  return catalog.registries.flatMap((registry) =>
    registry.auth?.secret ? [{ registry: registry.key, secretFile: relative(dir, registry.auth.secret) }] : [],
  );
}

function headerLines(catalog: Catalog, needs: PullSecretNeed[]): string[] {
  const lines = [`ImageStreams exported by imagestreams from ${catalog.displayPath}.`];
  for (const need of needs) {
    lines.push(
      `${need.registry} needs a pull secret in the namespace (the catalog uses ${need.secretFile}; its data is not exported).`,
    );
  }
  return lines;
}
