import { describe, expect, it } from 'vitest';
import type { TagSpec } from '../../src/core/catalog.js';
import type { TagItem, TagState } from '../../src/core/state-model.js';
import { importedTagState } from '../../src/engine/tag-outcome.js';

/** What a successful import records in a tag's history. */
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OLDER = `sha256:${'b'.repeat(64)}`;
const SOURCE = `quay.io/org/app@${DIGEST}`;
const LOCAL = `registry.local:5000/mirror/app@${DIGEST}`;

const spec = (referencePolicy: 'Source' | 'Local'): TagSpec => ({
  from: 'quay.io/org/app:1',
  importMode: 'Legacy',
  referencePolicy,
  scheduled: false,
  insecure: false,
  preferPlatform: null,
});

function item(digest: string, generation: number, references: Partial<TagItem>): TagItem {
  return {
    created: `2026-11-0${generation}T00:00:00.000Z`,
    generation,
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    dockerImageReference: `quay.io/org/app@${digest}`,
    sourceDigest: digest,
    manifests: [],
    ...references,
  };
}

const local = item(DIGEST, 2, { dockerImageReference: LOCAL, sourceImageReference: SOURCE });
const source = item(DIGEST, 2, { dockerImageReference: SOURCE });
const older = item(OLDER, 1, {});
const tag = (policy: 'Source' | 'Local', current: TagItem): TagState => ({
  spec: spec(policy),
  items: [current, older],
  conditions: [],
});

describe('a successful import', () => {
  it('adds the new image first when the digest changed', () => {
    const next = item(`sha256:${'c'.repeat(64)}`, 3, {});
    expect(importedTagState(spec('Source'), tag('Source', source), next).items).toEqual([next, source, older]);
  });

  it('of the same image after a switch from Local to Source: the current item is pulled from the source now', () => {
    const after = importedTagState(
      spec('Source'),
      tag('Local', local),
      item(DIGEST, 3, { dockerImageReference: SOURCE }),
    );
    expect(after.items).toEqual([source, older]);
    expect(after.items[0]).not.toHaveProperty('sourceImageReference');
    expect(after.spec.referencePolicy).toBe('Source');
  });

  it('of the same image after a switch from Source to Local: the current item is pulled from the mirror now', () => {
    const mirrored = item(DIGEST, 3, { dockerImageReference: LOCAL, sourceImageReference: SOURCE });
    const after = importedTagState(spec('Local'), tag('Source', source), mirrored);
    expect(after.items).toEqual([local, older]);
  });

  it('of the same image with the same pull specs changes nothing in the history', () => {
    const again = importedTagState(spec('Local'), tag('Local', local), item(DIGEST, 3, { ...local, generation: 3 }));
    expect(again.items).toEqual([local, older]);
  });
});
