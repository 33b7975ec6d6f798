import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/config/duration.js';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { parsePlatform } from '../../src/core/platform.js';
import { registryKeyProblem } from '../../src/core/registry-key.js';

const HUGE = 'x'.repeat(600_000);

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

/** A pull request's catalog may hold values of any length: an error repeats at most 200 characters of each. */
describe('long input repeated in an error', () => {
  it.each<[string, () => string]>([
    ['a duration flag', () => messageOf(() => parseDuration(HUGE))],
    ['a platform', () => messageOf(() => parsePlatform(`linux/${HUGE}!`))],
    ['a registry key', () => registryKeyProblem(`${HUGE}!`) ?? ''],
    ['a registry path component', () => registryKeyProblem(`registry.example/${HUGE}!`) ?? ''],
  ])('%s is clipped, saying how long it was', (_name, message) => {
    const text = message();
    expect(text).toMatch(/x{150,200}[^x]*\(\d+ characters\)/);
    expect(text.length).toBeLessThan(600);
  });

  it.each([
    ['a schedule interval', `defaults:\n  scheduleInterval: "${HUGE}"\n`],
    [
      'a prefer-arch annotation',
      `streams:\n  app:\n    tags:\n      v1:\n        from: alpine\n        annotations:\n          importer.image.openshift.io/prefer-arch: "${HUGE}!"\n`,
    ],
    ['local.registry', `local:\n  registry: "${HUGE}"\n`],
    ['a key name', `streams:\n  app:\n    tags:\n      v1:\n        from: alpine\n        ${HUGE}: 1\n`],
  ])('in a catalog: %s', (_name, body) => {
    const text = messageOf(() =>
      parseCatalog(`apiVersion: imagestreams/v1\nkind: Catalog\n${body}`, 'imagestreams.yaml'),
    );
    expect(text).toMatch(/^imagestreams\.yaml:\d+:\d+: error: /);
    expect(text.length).toBeLessThan(2_000);
  });
});
