import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Descriptor {
  digest: string;
}

interface ManifestDocument {
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

/**
 * The blobs of an OCI layout that `digest` reaches, by digest: the manifest itself, and for an index every manifest
 * it lists; for an image manifest its config and layers.
 */
export function reachableBlobs(layoutDir: string, digest: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  const visit = (current: string, isManifest: boolean) => {
    if (found.has(current)) return;
    const bytes = readFileSync(join(layoutDir, 'blobs', 'sha256', current.slice('sha256:'.length)));
    found.set(current, bytes);
    if (!isManifest) return;
    const document = JSON.parse(bytes.toString('utf8')) as ManifestDocument;
    for (const child of document.manifests ?? []) visit(child.digest, true);
    for (const blob of [...(document.config ? [document.config] : []), ...(document.layers ?? [])]) {
      visit(blob.digest, false);
    }
  };
  visit(digest, true);
  return found;
}
