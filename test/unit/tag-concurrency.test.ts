import { describe, expect, it } from 'vitest';
import type { RegistrySettings } from '../../src/core/catalog.js';
import { tagConcurrency } from '../../src/engine/concurrency.js';

const registry = (_key: string, maxConcurrency?: number): Pick<RegistrySettings, 'maxConcurrency'> =>
  maxConcurrency === undefined ? {} : { maxConcurrency };

describe('how many tags plan and apply work on at once', () => {
  it('is 16 for a catalog that raises no registry limit', () => {
    expect(tagConcurrency([])).toBe(16);
    expect(tagConcurrency([registry('quay.io'), registry('ghcr.io', 4)])).toBe(16);
  });

  it("follows the registries' maxConcurrency when together they allow more, so that raising a limit is enough", () => {
    expect(tagConcurrency([registry('quay.io', 32)])).toBe(32);
    expect(tagConcurrency([registry('quay.io', 32), registry('ghcr.io', 8), registry('docker.io')])).toBe(40);
  });

  it('stays within 256 tags whatever the limits say', () => {
    expect(tagConcurrency([registry('quay.io', 10_000)])).toBe(256);
  });

  it('is what --concurrency says when given, above or below the limits', () => {
    expect(tagConcurrency([registry('quay.io', 32)], 4)).toBe(4);
    expect(tagConcurrency([], 64)).toBe(64);
  });
});
