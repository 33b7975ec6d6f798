import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../helpers/cleanup.js';
import { type LayoutSpec, writeImageLayout } from '../helpers/images.js';

/**
 * The OCI image layouts under examples/images that the repository's own imagestreams.yaml imports from.
 * They are generated, deterministically; regenerate with `UPDATE_EXAMPLES=1 npx vitest run test/unit/examples.test.ts`.
 */
const EXAMPLES: Record<string, LayoutSpec> = {
  demo: {
    seed: 'demo',
    tags: {
      '1.0': {
        platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'],
        attestations: true,
        labels: { 'org.opencontainers.image.title': 'demo', 'org.opencontainers.image.version': '1.0' },
      },
      '1.1': {
        platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/ppc64le', 'linux/s390x'],
        attestations: true,
        labels: { 'org.opencontainers.image.title': 'demo', 'org.opencontainers.image.version': '1.1' },
      },
      single: { platforms: ['linux/amd64'], labels: { 'org.opencontainers.image.title': 'demo-single' } },
    },
  },
  tools: {
    seed: 'tools',
    mediaTypes: 'docker',
    tags: {
      stable: { platforms: ['linux/amd64', 'linux/arm64/v8'], index: true, labels: { maintainer: 'platform team' } },
    },
  },
};

const ROOT = join(import.meta.dirname, '..', '..', 'examples', 'images');
const scratch = makeTempDir('imagestreams-examples-');
afterAll(() => removeTempDir(scratch));

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path).toString('base64');
    }
  };
  walk(dir);
  return out;
}

describe('the example image layouts', () => {
  it.each(Object.keys(EXAMPLES))('examples/images/%s is what the generator makes', (name) => {
    if (process.env.UPDATE_EXAMPLES) writeImageLayout(join(ROOT, name), EXAMPLES[name]!);
    writeImageLayout(join(scratch, name), EXAMPLES[name]!);
    expect(files(join(ROOT, name))).toEqual(files(join(scratch, name)));
  });
});
