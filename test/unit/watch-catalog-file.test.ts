import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchCatalogFile } from '../../src/engine/watch/catalog-file.js';
import { tempDir } from '../helpers/cli.js';
import { ConfigMapVolume } from '../helpers/configmap-volume.js';

const work = tempDir('imagestreams-catalog-file-');
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Resolves when `onChange` was called, or with false after `ms`. */
function changed(path: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const stop = watchCatalogFile(
      path,
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { debounceMs: 20, pollMs: 3_600_000 },
    );
    stops.push(stop);
  });
}

describe('watching a catalog in a Kubernetes ConfigMap volume', () => {
  it('notices the kubelet swapping the ..data link, without waiting for the stat poll', async () => {
    const volume = new ConfigMapVolume(join(work.path, 'config'));
    volume.publish({ 'imagestreams.yaml': 'version: 1\n' });
    const seen = changed(volume.path('imagestreams.yaml'), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    volume.publish({ 'imagestreams.yaml': 'version: 2\n' });
    expect(await seen).toBe(true);
  });

  it('ignores changes to other files of the directory', async () => {
    const volume = new ConfigMapVolume(join(work.path, 'other'));
    volume.publish({ 'imagestreams.yaml': 'version: 1\n' });
    const seen = changed(volume.path('imagestreams.yaml'), 1_000);
    writeFileSync(join(volume.dir, 'unrelated.txt'), 'x');
    expect(await seen).toBe(false);
  });
});

describe('watching a file that keeps changing', () => {
  it('reports a file rewritten without a pause every maxWaitMs, without waiting for the rewriting to stop', async () => {
    const path = join(work.path, 'rotated.json');
    writeFileSync(path, '0');
    let reports = 0;
    const options = { debounceMs: 200, maxWaitMs: 300, pollMs: 3_600_000 };
    stops.push(watchCatalogFile(path, () => reports++, options));
    const rewriting = Date.now();
    for (let i = 1; Date.now() - rewriting < 2_000; i++) {
      writeFileSync(path, String(i));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(reports).toBeGreaterThanOrEqual(3);
  });
});
