import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, serviceUnavailable, startFaultProxy } from '../helpers/fault-proxy.js';
import { type RegistryHandle, startRegistry } from '../helpers/registry.js';
import { eventually, WatchWorkspace } from './watch-support.js';

let registry: RegistryHandle;
let proxy: FaultProxy;
beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.url);
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

/** Every failing check asks for the manifest once and retries it 4 times. */
const REQUESTS_PER_FAILED_CHECK = 5;

describe('watch against a failing registry', () => {
  it('backs off exponentially, records the failure as a condition, and recovers', async () => {
    const ws = new WatchWorkspace(registry);
    await ws.push('followed', 'v1');
    ws.writeCatalog({ followed: ['followed', true] }, proxy.host);
    expect((await ws.run(['apply', '--auto-approve'])).code).toBe(0);
    const watch = ws.watch(['--interval', '2s']);
    await watch.event((e) => e.type === 'unchanged', 'a first check');

    proxy.inject(serviceUnavailable(), { path: /\/manifests\//, times: 3 * REQUESTS_PER_FAILED_CHECK });
    const moved = await ws.push('followed', 'v2');
    const failures = await eventually(
      () => {
        const failed = watch.eventsOf('failed', 'app:followed');
        return failed.length >= 3 ? failed : undefined;
      },
      'three failed checks',
      90_000,
    );
    expect(failures.map((f) => [f.reason, f.failures])).toEqual([
      ['InternalError', 1],
      ['InternalError', 2],
      ['InternalError', 3],
    ]);
    const waits = failures.map((f) => Date.parse(String(f.nextCheck)) - Date.parse(f.time));
    expect(waits[1]).toBeGreaterThan(waits[0]!);
    expect(waits[2]).toBeGreaterThan(waits[1]!);
    expect(ws.tag('followed')?.conditions).toEqual([
      expect.objectContaining({ type: 'ImportSuccess', status: 'False', reason: 'InternalError' }),
    ]);

    const recovered = await watch.event((e) => e.type === 'imported', 'the import once the registry answers', 60_000);
    expect(recovered).toMatchObject({ address: 'app:followed', recovered: true, failures: 0 });
    expect(ws.tag('followed')?.conditions).toEqual([]);
    expect(ws.sourceDigest('followed')).toBe(moved);
    expect(await watch.stop()).toBe(0);
  });
});
