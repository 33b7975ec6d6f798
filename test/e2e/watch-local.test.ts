import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { localCatalog, pullEverything } from '../helpers/local-mirror.js';
import { eventually, WatchWorkspace } from '../helpers/watch-workspace.js';
import { insecure } from '../helpers/workspace.js';

const { registry } = useRegistry();

/** A watched scheduled Local tag mirrored into a layout, and a prune run beside the watch. */
describe('watch mirroring a Local tag while prune runs between its imports', () => {
  it('copies again what prune deleted: an image that comes back is mirrored whole', async () => {
    const ws = new WatchWorkspace(registry);
    const from = `${registry.host}/${ws.repository}:latest`;
    const v1 = await ws.push('latest', 'v1');
    const tag = { from, importMode: 'PreserveOriginal', scheduled: true, referencePolicy: 'Local' };
    const spec = { registries: insecure(registry.host), streams: { app: { latest: tag } } };
    writeFileSync(ws.catalogPath, localCatalog(spec, { layout: 'store' }));
    const store = join(ws.dir, 'store', 'app');
    const blob = (digest: string) => join(store, 'blobs', 'sha256', digest.slice('sha256:'.length));
    const current = () => ws.tag('latest')?.items[0]?.digest;

    const watch = ws.watch(['--interval', '1s']);
    await eventually(() => (current() === v1 ? true : undefined), 'watch to mirror v1');
    const v2 = await ws.push('latest', 'v2');
    await eventually(() => (current() === v2 ? true : undefined), 'watch to mirror v2');

    const prune = await ws.run(['prune', '--keep-tag-revisions=1', '--keep-younger-than=0s', '--confirm']);
    expect(prune.code, prune.stderr).toBe(0);
    expect(existsSync(blob(v1))).toBe(false);

    expect(await ws.push('latest', 'v1')).toBe(v1);
    await eventually(() => (current() === v1 ? true : undefined), 'watch to mirror v1 again');
    expect(await watch.stop()).toBe(0);
    expect(existsSync(blob(v1))).toBe(true);
    await pullEverything(`oci:${store}:latest`, [], tempDir().path);
  });
});
