import { describe, expect, it } from 'vitest';
import { SharedStrings } from '../../src/state/shared-strings.js';

describe('copies of recorded values', () => {
  const value = {
    items: [{ digest: 'sha256:a', manifests: [{ platform: 'linux/amd64' }, { platform: 'linux/amd64' }] }],
    spec: { from: 'registry.example/app:1', preferPlatform: null, scheduled: true, generation: 3 },
  };

  it('are equal to what was recorded, and share nothing with it', () => {
    const copy = new SharedStrings().copy(value);
    expect(copy).toStrictEqual(value);
    copy.items[0]!.manifests[0]!.platform = 'linux/arm64';
    copy.spec.scheduled = false;
    expect(value.items[0]!.manifests[0]!.platform).toBe('linux/amd64');
    expect(value.spec.scheduled).toBe(true);
  });

  it('keep a "__proto__" key an own key, as JSON does', () => {
    const parsed = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    const copy = new SharedStrings().copy(parsed);
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('of many values are each equal to their own value', () => {
    const strings = new SharedStrings();
    const values = ['a', 'b', 'a'].map((tag) => ({ tag, media: 'application/vnd.oci.image.manifest.v1+json' }));
    expect(values.map((v) => strings.copy(v))).toStrictEqual(values);
  });
});
