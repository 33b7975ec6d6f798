import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type GeneratedLayout, writeImageLayout } from '../../helpers/images.js';
import type { Workspace } from '../../helpers/workspace.js';
import { runCliMeasured } from './cli-process.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const REF_NAME = 'org.opencontainers.image.ref.name';

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function blobPath(layout: string, digest: string): string {
  return join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** Stores `content` (JSON-encoded unless bytes) as a blob of the layout; returns its digest and size. */
export function writeBlob(layout: string, content: Buffer | string | object): { digest: string; size: number } {
  const bytes = Buffer.isBuffer(content)
    ? content
    : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content));
  const digest = sha256(bytes);
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(blobPath(layout, digest), bytes);
  return { digest, size: bytes.length };
}

/** Writes `oci-layout` and an `index.json` listing `manifests` (raw, so that hostile entries can be written). */
export function writeLayoutIndex(layout: string, manifests: readonly object[]): void {
  mkdirSync(layout, { recursive: true });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
}

/** A copy of `from` at `to`, to damage without touching the original. */
export function copyLayout(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

/** An index.json entry tagging `descriptor` (an OCI manifest unless it says otherwise) as `tag`. */
export function tagged(descriptor: { digest: string; size: number; mediaType?: string }, tag: string) {
  return { mediaType: OCI_MANIFEST, ...descriptor, annotations: { [REF_NAME]: tag } };
}

/**
 * Writes the layout `good` (tags `multi`, two platforms, and `single`) into the workspace and applies `ok:multi`
 * from it, so that "nothing written" covers an existing state.
 */
export async function applyOneGoodTag(workspace: Workspace): Promise<GeneratedLayout> {
  const good = writeImageLayout(join(workspace.dir, 'good'), {
    tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'] }, single: { platforms: ['linux/amd64'] } },
  });
  workspace.writeCatalog({ streams: { ok: { multi: { from: 'oci:good:multi' } } } });
  const apply = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
  expect(apply.code, apply.stderr).toBe(0);
  return good;
}
