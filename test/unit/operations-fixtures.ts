import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import { tempDir } from '../helpers/cli.js';

/** A catalog in a directory removed after the test; its one tag, app:v1, imports from a layout that does not exist. */
export function unresolvableCatalog(): Catalog {
  const dir = tempDir('imagestreams-operations-');
  onTestFinished(() => dir.remove());
  const text =
    'apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  app:\n    tags:\n      v1:\n        from: oci:missing:1\n';
  return parseCatalog(text, join(dir.path, 'imagestreams.yaml'));
}
