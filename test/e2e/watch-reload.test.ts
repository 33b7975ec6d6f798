import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigMapVolume } from '../helpers/configmap-volume.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { eventually, WatchWorkspace } from '../helpers/watch-workspace.js';

const { registry } = useRegistry();

describe('watch reloading its catalog', () => {
  it('follows catalog edits, and reports an invalid edit while keeping the last good catalog', async () => {
    const ws = new WatchWorkspace(registry);
    await ws.push('followed', 'v1');
    await ws.push('extra', 'v1');
    ws.writeCatalog({ followed: ['followed', true] });
    expect((await ws.run(['apply', '--auto-approve'])).code).toBe(0);
    const watch = ws.watch(['--interval', '2s']);
    await watch.event((e) => e.type === 'started', 'the start');

    ws.writeCatalog({ followed: ['followed', true], added: ['extra', true], pinned: ['extra', false] });
    await watch.event((e) => e.type === 'catalog-reloaded', 'the reload');
    expect(watch.eventsOf('catalog-reloaded')[0]).toMatchObject({ tags: 2 });
    await eventually(() => ws.sourceDigest('added'), 'the new scheduled tag to be imported');
    expect(ws.tag('pinned')).toBeUndefined();

    appendFileSync(ws.catalogPath, 'bogus: true\nnonsense: 1\n');
    const invalid = await watch.event((e) => e.type === 'catalog-invalid', 'the invalid edit to be reported');
    expect(invalid.problems).toEqual([
      expect.stringMatching(/^imagestreams\.yaml:\d+:\d+: error: .*bogus/),
      expect.stringMatching(/^imagestreams\.yaml:\d+:\d+: error: .*nonsense/),
    ]);
    expect(invalid.message).toBe((invalid.problems as string[]).join('\n'));

    const moved = await ws.push('followed', 'v2');
    await eventually(
      () => (ws.sourceDigest('followed') === moved ? true : undefined),
      'a move to be imported with the last good catalog',
    );
    expect(watch.eventsOf('catalog-invalid')).toHaveLength(1);
    expect(await watch.stop()).toBe(0);
  });

  it('logs an invalid edit with several problems as one text line', async () => {
    const ws = new WatchWorkspace(registry);
    await ws.push('followed', 'v1');
    ws.writeCatalog({ followed: ['followed', true] });
    expect((await ws.run(['apply', '--auto-approve'])).code).toBe(0);
    const watch = ws.watch(['--interval', '2s'], { json: false });
    await eventually(() => watch.lines.find((l) => / watching imagestreams\.yaml: /.test(l)), 'the start');

    appendFileSync(ws.catalogPath, 'bogus: true\nnonsense: 1\n');
    const line = await eventually(() => watch.lines.find((l) => l.includes(' is invalid')), 'the invalid edit');
    expect(line).toMatch(
      /^\S+ catalog imagestreams\.yaml is invalid, keeping the last good one: imagestreams\.yaml:\d+:\d+: error: .*bogus.*; imagestreams\.yaml:\d+:\d+: error: .*nonsense.*$/,
    );
    expect(await watch.stop()).toBe(0);
    expect(watch.lines.filter((l) => !/^\d{4}-\d\d-\d\dT\S+ /.test(l))).toEqual([]);
  });

  it('follows a catalog mounted from a Kubernetes ConfigMap when the kubelet swaps its ..data link', async () => {
    const ws = new WatchWorkspace(registry);
    await ws.push('followed', 'v1');
    await ws.push('extra', 'v1');
    const volume = new ConfigMapVolume(join(ws.dir, 'config'));
    volume.publish({ 'imagestreams.yaml': ws.catalogText({ followed: ['followed', true] }) });
    const files = ['-f', 'config/imagestreams.yaml', '--state', 'imagestreams.state.json'];
    expect((await ws.run(['apply', '--auto-approve', ...files])).code).toBe(0);
    const watch = ws.watch(['--interval', '2s', ...files]);
    await watch.event((e) => e.type === 'started', 'the start');

    volume.publish({ 'imagestreams.yaml': ws.catalogText({ followed: ['followed', true], added: ['extra', true] }) });
    const reloaded = await watch.event((e) => e.type === 'catalog-reloaded', 'the reload after the ..data swap');
    expect(reloaded).toMatchObject({ catalog: 'config/imagestreams.yaml', tags: 2 });
    await eventually(() => ws.sourceDigest('added'), 'the tag the ConfigMap update added to be imported');
    expect(watch.eventsOf('catalog-invalid')).toEqual([]);
    expect(await watch.stop()).toBe(0);
  });
});
